"""The platform's IPC: 4-byte big-endian length + JSON frames over Unix sockets (wire-compatible with the Go seed)."""
