"""Mail use cases: queue messages in the durable outbox, render templates, deliver with retries."""
