"""sogoms-db: the Database port (SQLAlchemy, one pool per app) served over IPC."""
