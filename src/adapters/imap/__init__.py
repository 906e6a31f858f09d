"""IMAP: the mailbox session on aioimaplib."""
