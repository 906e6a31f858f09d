"""The trust model on parsed messages: only the named server's verdict, aligned with the From domain, proves it."""

from __future__ import annotations

import pytest

from adapters.mime.parser import parse_auth_results, parse_message
from domain.mail.inbound import AuthResultsTrust
from domain.mail.inbound_message import address_token, authenticated, message_key, secret_address, secret_address_owner

TRUST = AuthResultsTrust("mx.example.com")


def msg(sender: str, *results: str) -> bytes:
    head = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return f"{head}From: {sender}\r\nTo: tasks@example.com\r\nSubject: s\r\n\r\nbody\r\n".encode()


@pytest.mark.parametrize(
    ("sender", "results", "proof"),
    [
        ("ana@example.com", ["mx.example.com; dkim=pass header.d=example.com"], "dkim"),
        ("ana@mail.example.com", ["mx.example.com; dkim=pass header.d=example.com"], "dkim"),  # parent domain
        ("ana@example.com", ["mx.example.com; spf=pass smtp.mailfrom=bounce@example.com"], "spf"),
        ("ana@example.com", ["mx.example.com; dkim=pass (a comment; with ;) header.d=example.com"], "dkim"),
        ("ana@example.com", ["mx.example.com; dkim=fail header.d=example.com"], None),
        ("ana@example.com", ["mx.example.com; dkim=pass header.d=evil.test"], None),  # not aligned
        ("ana@example.com", ["mx.example.com; dkim=pass header.d=ample.com"], None),  # a suffix is not a parent
        ("ana@example.com", ["mx.evil.test; dkim=pass header.d=example.com"], None),  # another server's claim
        ("ana@example.com", ["mx.example.com; dmarc=pass header.from=example.com"], None),  # dmarc not trusted here
        ("ana@example.com, ben@example.com", ["mx.example.com; dkim=pass header.d=example.com"], None),
        ("not an address", ["mx.example.com; dkim=pass header.d=example.com"], None),
    ],
)
def test_who_is_proven(sender: str, results: list[str], proof: str | None) -> None:
    assert authenticated(parse_message(msg(sender, *results)), TRUST) == proof


def test_auth_results_are_read_per_method() -> None:
    (dkim, spf) = parse_auth_results("mx.example.com 1; dkim=pass header.d=Example.COM header.s=s1; spf=softfail")
    assert (dkim.authserv_id, dkim.method, dkim.result, dkim.props["header.d"]) == (
        "mx.example.com",
        "dkim",
        "pass",
        "example.com",
    )
    assert (spf.method, spf.result) == ("spf", "softfail")
    assert parse_auth_results("") == [] and parse_auth_results("mx; none") == []


def test_secret_addresses_name_their_user_and_cannot_be_forged() -> None:
    secret = b"k" * 32
    address = secret_address(secret, "prokov", 12, "tasks@prokov.localhost")
    assert address == f"tasks+{address_token(secret, 'prokov', 12)}@prokov.localhost"
    raw = f"From: x@y.test\r\nTo: {address}\r\nSubject: s\r\n\r\n".encode()
    assert secret_address_owner(parse_message(raw), secret, "prokov") == "12"
    assert secret_address_owner(parse_message(raw), secret, "koprogo") is None  # per app
    assert secret_address_owner(parse_message(raw.replace(b"+12.", b"+13.")), secret, "prokov") is None


def test_the_same_message_has_the_same_key_whatever_its_copy() -> None:
    assert message_key("<A@b>", b"x") == message_key(" <a@B> ", b"y")
    assert message_key("", b"x") != message_key("", b"y")
