"""SMTP: the aiosmtplib transport, per-app accounts, and the development mail catcher (aiosmtpd)."""
