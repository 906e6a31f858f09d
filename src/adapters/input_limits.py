"""Depth limits on JSON from outside (HTTP bodies, IPC frames), checked on the raw bytes before any decoder runs.

msgspec (like every recursive decoder) raises RecursionError near Python's recursion limit, and a value decoded
just under it can still overflow whatever walks it next (convert, encode, logging). So nesting is bounded here,
well below that, with a clear 400-class answer; the decoders' RecursionError is caught as a second line.
"""

from __future__ import annotations

import re
from array import array
from itertools import accumulate
from typing import Any

import msgspec

from domain.errors import BadRequest

HTTP_MAX_DEPTH = 64  # request bodies: a flat object of fields, JSON columns a few levels deep
IPC_MAX_DEPTH = 96  # IPC frames wrap an HTTP body in a few levels (request, params, row)

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_TO_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")  # +1 / -1 as signed bytes
_PAIR = b"\x01\xff"
_QUICK_PASSES = 8
_any = msgspec.json.Decoder()


def nested_deeper_than(payload: bytes, limit: int) -> bool:
    """True when arrays/objects in the JSON text `payload` nest more than `limit` levels (strings ignored).

    Linear in the payload and done in C: a body with at most `limit` brackets in all is accepted at once;
    otherwise the strings are cut out and the brackets kept as +1/-1 steps. Shallow data (most of it) empties in
    a few passes removing innermost pairs; what is left is measured by a running sum.
    """
    if payload.count(b"[") + payload.count(b"{") <= limit:
        return False
    text = _ESCAPE.sub(b"", payload) if b"\\" in payload else payload
    outside = b"".join(text.split(b'"')[0::2])  # every other piece is inside a string
    steps = outside.translate(_TO_STEPS, _NOT_BRACKET)
    passes = min(limit, _QUICK_PASSES)
    for _ in range(passes):
        steps = steps.replace(_PAIR, b"")  # each pass takes one level off every branch
    return bool(steps) and max(accumulate(array("b", steps))) > limit - passes


def too_deep_message(limit: int) -> str:
    return f"The JSON is nested more than {limit} levels deep"


def decode_json(payload: bytes, limit: int = HTTP_MAX_DEPTH, decoder: Any = _any) -> Any:
    """`decoder.decode(payload)` (msgspec), refused with BadRequest when nested deeper than `limit`.

    msgspec.DecodeError / ValidationError go to the caller, who knows what to say about them.
    """
    if nested_deeper_than(payload, limit):
        raise BadRequest(too_deep_message(limit))
    try:
        return decoder.decode(payload)
    except RecursionError:
        raise BadRequest(too_deep_message(limit)) from None
