"""Ports: what the use cases need from the outside world, shaped by those use cases."""
