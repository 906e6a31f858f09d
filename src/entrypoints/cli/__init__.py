"""`sogoms`: the management command line (secrets, schema, admin users, checks)."""
