"""sogoms-logs: the LogSink port (JSON-lines files) served over IPC."""
