"""Inbound mail: MIME parsing, rule matching, value templates, the IMAP client."""
