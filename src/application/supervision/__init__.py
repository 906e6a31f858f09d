"""Supervision: keep the platform's services alive (sogoctl's use cases and the ports they need)."""
