"""`sogoms-push`: the real-time push service (MQTT)."""
