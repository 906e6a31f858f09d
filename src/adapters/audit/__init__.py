"""Audit trail adapters."""
