"""Inbound mail use cases: apply an app's mail rules to received messages, exactly once."""
