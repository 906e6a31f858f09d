"""Schema use cases: migrations, introspection, generation, diff (sogoms schema ...)."""
