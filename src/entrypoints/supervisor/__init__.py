"""sogoctl: the supervisor (run) and its control client (status, reload, restart, stop)."""
