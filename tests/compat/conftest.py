"""Fixtures of the compatibility tests: the inbound-mail stack (real services, Dovecot, an SMTP server), and an
SMTP server recording what it receives."""

from tests.e2e.inbound.conftest import inbound
from tests.integration.mail.conftest import recorder, smtpd

__all__ = ["inbound", "recorder", "smtpd"]
