"""`sogoms-admin`: the web UI to create, inspect and operate apps."""
