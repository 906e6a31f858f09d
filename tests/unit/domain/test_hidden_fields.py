"""Hidden fields (the password hash above all) are never written through the generic API."""

from __future__ import annotations

import msgspec
import pytest

from domain.errors import InvalidInput
from domain.schema.model import Table


def table() -> Table:
    raw = {
        "name": "members",
        "fields": {
            "id": {"type": "int", "primary": True, "auto": True},
            "email": {"type": "string", "required": True, "auth": "login"},
            "password": {"type": "string", "required": True, "auth": "password", "hidden": True},
            "note": {"type": "string", "hidden": True},
            "nickname": {"type": "string", "max_length": 10},
        },
    }
    t = msgspec.convert(raw, Table)
    return t


def test_hidden_and_password_fields_are_not_writable() -> None:
    assert table().writable_fields() == ("email", "nickname")


def test_a_body_setting_hidden_fields_keeps_only_the_visible_ones() -> None:
    values = table().validate({"email": "a@b.c", "password": "plain", "note": "x", "nickname": "ok"}, partial=False)
    assert values == {"email": "a@b.c", "nickname": "ok"}


def test_visible_fields_still_validated() -> None:
    with pytest.raises(InvalidInput) as exc:
        table().validate({"email": "a@b.c", "nickname": "far too long a name"}, partial=True)
    assert [e.field for e in exc.value.field_errors] == ["nickname"]
