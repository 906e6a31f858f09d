"""The depth scan on raw JSON bytes agrees with the real nesting, strings and escapes ignored."""

from __future__ import annotations

import json

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.input_limits import decode_json, nested_deeper_than
from domain.errors import BadRequest

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='[]{}"\\ab,:', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4), inner, max_size=3)
    ),
    max_leaves=40,
)


def depth(v: object) -> int:
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    return 0


@given(value=values, limit=st.integers(1, 12))
def test_the_scan_agrees_with_the_decoded_depth(value: object, limit: int) -> None:
    payload = json.dumps(value).encode()
    assert nested_deeper_than(payload, limit) == (depth(value) > limit)


@pytest.mark.parametrize("payload", [b"[" * 100_000, b'{"a":' * 5000 + b"1" + b"}" * 5000, b"[" * 65 + b"]" * 65])
def test_deep_payloads_are_a_bad_request_not_a_recursion_error(payload: bytes) -> None:
    with pytest.raises(BadRequest, match="nested more than 64 levels"):
        decode_json(payload)


def test_malformed_shallow_json_is_left_to_the_decoder() -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_json(b'{"a": [1, 2}')
    text = "[" * 100  # brackets inside a string are not nesting
    assert decode_json(json.dumps({"a": text}).encode()) == {"a": text}
