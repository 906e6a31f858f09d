"""Which IDLE pushes mean "something changed": a keepalive does not (Dovecot sends `* OK Still here`)."""

from __future__ import annotations

from adapters.imap.session import _keepalive


def test_a_keepalive_is_not_a_change() -> None:
    assert _keepalive([b"OK Still here"])


def test_new_mail_and_expunges_are_changes() -> None:
    assert not _keepalive([b"3 EXISTS"])
    assert not _keepalive([b"OK Still here", b"4 EXISTS"])
    assert not _keepalive([b"2 EXPUNGE"])
