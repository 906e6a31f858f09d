"""What several binaries compose: shared settings files, the mail stack, the database and log transports, lazy
adapters and the IPC service lifecycle. Binaries import from here, never from one another."""
