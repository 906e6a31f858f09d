"""`sogoms-imap`: reads the apps' IMAP mailboxes and hands each message to sogoms-mailproc."""
