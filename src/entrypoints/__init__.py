"""Composition roots: one per binary (HTTP, IPC or CLI), building adapters and handing them to use cases."""
