"""Real-time push use cases: publish to an app's MQTT topics, and tell owners about CRUD writes."""
