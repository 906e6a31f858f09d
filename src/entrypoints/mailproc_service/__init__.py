"""`sogoms-mailproc`: inbound mail rules (parse, apply_rules) over a Unix socket."""
