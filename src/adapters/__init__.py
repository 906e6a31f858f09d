"""Adapters: one implementation per port, one module per technology."""
