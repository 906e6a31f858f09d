"""Cursors are opaque and signed: tampered, forged, replayed on another list or another app's, they are refused."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain.errors import BadRequest
from domain.query.cursor import CursorCodec, cursor_value

BINDING = repr(("projects", (("position", False), ("id", False)), ()))


def test_a_cursor_round_trips_its_values() -> None:
    codec = CursorCodec(b"s" * 32)
    token = codec.encode(BINDING, [3, None, "Roof", 1.5, True])
    assert codec.decode(BINDING, token, 5) == (3, None, "Roof", 1.5, True)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_changed_values_break_the_signature() -> None:
    codec = CursorCodec(b"s" * 32)
    _, mac = codec.encode(BINDING, [3, 10]).split(".")
    forged = _b64(json.dumps([1, 3, 999]).encode())
    with pytest.raises(BadRequest, match="Invalid cursor"):
        codec.decode(BINDING, f"{forged}.{mac}", 2)


@pytest.mark.parametrize(
    "token", ["", ".", "abc", "abc.", ".abc", "!!!.???", "a.b.c", "WzFd.AAAA", "x" * 40 + "." + "y" * 22]
)
def test_garbage_is_a_bad_request(token: str) -> None:
    with pytest.raises(BadRequest):
        CursorCodec(b"s" * 32).decode(BINDING, token, 2)


def test_a_cursor_of_another_list_is_refused() -> None:
    codec = CursorCodec(b"s" * 32)
    token = codec.encode(BINDING, [3, 10])
    other_sort = repr(("projects", (("name", False), ("id", False)), ()))
    other_filters = repr(("projects", (("position", False), ("id", False)), (("done", "eq", "1"),)))
    for binding in (other_sort, other_filters):
        with pytest.raises(BadRequest):
            codec.decode(binding, token, 2)


def test_a_cursor_of_another_app_is_refused() -> None:
    token = CursorCodec(b"a" * 32).encode(BINDING, [3, 10])
    with pytest.raises(BadRequest):
        CursorCodec(b"b" * 32).decode(BINDING, token, 2)


def test_the_wrong_number_of_values_is_refused() -> None:
    codec = CursorCodec(b"s" * 32)
    with pytest.raises(BadRequest):
        codec.decode(BINDING, codec.encode(BINDING, [3]), 2)


def test_stored_values_become_cursor_values() -> None:
    assert cursor_value(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02 03:04:05"
    assert cursor_value(date(2024, 1, 2)) == "2024-01-02"
    assert cursor_value(Decimal("1.50")) == "1.50"
    with pytest.raises(ValueError):
        cursor_value(b"\x00")


def test_a_cursor_has_one_spelling() -> None:
    """The MAC's last base64 character carries 4 unused bits: another spelling of the same bytes is refused."""
    codec = CursorCodec(b"s" * 32)
    token = codec.encode(BINDING, [3, 10])
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bits = [c for c in alphabet if alphabet.index(c) >> 4 == alphabet.index(token[-1]) >> 4 and c != token[-1]]
    assert same_bits
    for c in same_bits:
        with pytest.raises(BadRequest):
            codec.decode(BINDING, token[:-1] + c, 2)
    assert codec.decode(BINDING, token, 2) == (3, 10)
