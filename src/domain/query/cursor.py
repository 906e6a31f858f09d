"""Opaque list cursors: the sort-key values of one row, signed so a client can neither forge nor re-aim one."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

from domain.errors import BadRequest

_VERSION = 1
_MAC_BYTES = 16
_SCALARS = (str, int, float, bool, type(None))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cursor_value(value: Any) -> Any:
    """A stored value as it goes into a cursor and back into SQL: JSON scalars, dates in their stored text form.

    ValueError for a value no cursor can carry (bytes, objects): such a page simply has no cursor.
    """
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise ValueError(f"a {type(value).__name__} cannot be carried by a cursor")


class CursorCodec:
    """Encodes a row's position as `payload.mac`. The MAC covers the list it was made for (`binding`: resource,
    sort and filters), so a cursor replayed on another sort or other filters is refused instead of silently
    meaning something else, and a client cannot write one itself to reach rows by hidden values."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"sogoms list cursor", hashlib.sha256).digest()

    def _mac(self, binding: str, payload: bytes) -> bytes:
        return hmac.new(self._key, binding.encode() + b"\x00" + payload, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, binding: str, values: Sequence[Any]) -> str:
        payload = json.dumps([_VERSION, *values], separators=(",", ":"), allow_nan=False).encode()
        return f"{_b64(payload)}.{_b64(self._mac(binding, payload))}"

    def decode(self, binding: str, token: str, count: int) -> tuple[Any, ...]:
        """The `count` values of a cursor made by `encode(binding, ...)`; BadRequest for anything else."""
        wrong = BadRequest("Invalid cursor: use meta.next or meta.prev of this same list (same sort and filters)")
        head, dot, tail = token.partition(".")
        if not dot or not head or not tail:
            raise wrong
        try:
            payload, mac = _unb64(head), _unb64(tail)
        except (binascii.Error, ValueError):
            raise wrong from None
        if _b64(payload) != head or _b64(mac) != tail:  # one spelling per cursor: no padding bits to play with
            raise wrong
        if not hmac.compare_digest(mac, self._mac(binding, payload)):
            raise wrong
        try:
            data = json.loads(payload)
        except ValueError:
            raise wrong from None
        if not isinstance(data, list) or not data or data[0] != _VERSION or len(data) != count + 1:
            raise wrong
        values = tuple(data[1:])
        if not all(isinstance(v, _SCALARS) for v in values):
            raise wrong
        return values


@lru_cache(maxsize=64)
def codec_for(secret: bytes) -> CursorCodec:
    """The codec of one app (keyed by its JWT secret, so a rotated secret also retires the old cursors)."""
    return CursorCodec(secret)
