"""`sogoms-smtp`: the mail service (outbox, templates, delivery)."""
