"""MIME: raw RFC 5322 messages parsed with the standard library's `email` package."""
