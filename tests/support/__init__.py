"""Shared test support: real databases, platform folders, service processes."""
