"""Child processes: the subprocess runner, health probes and the sogoctl.yaml loader."""
