"""Log files: one JSON object a line, one file per app, day and type (written, and read back newest first)."""
