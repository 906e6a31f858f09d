"""One column of a table: its declared type and options, what they may be combined with, and how it judges a value."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from domain.identifiers import check_identifier


class FieldType(StrEnum):
    INT = "int"
    STRING = "string"
    TEXT = "text"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"


UNINDEXABLE = (FieldType.TEXT, FieldType.JSON)
_INT_RANGE = (-(2**63), 2**63 - 1)
BLIND_SUFFIX = "_bidx"
BLIND_LENGTH = 64  # hex of an HMAC-SHA256


def _check_encrypted(f: Field) -> None:
    """What `encrypted` / `blind_index` cannot be combined with: each would promise what ciphertext cannot keep."""
    if not f.encrypted:
        raise ValueError("blind_index applies only to an encrypted field")
    for attr, why in (
        ("primary", "it is the row's key"),
        ("auto", "the database generates it"),
        ("foreign", "joins compare it in the database"),
        ("filter", "the owner filter compares it in the database"),
        ("index", "its stored value is ciphertext, which an index cannot sort or search"),
    ):
        if getattr(f, attr):
            raise ValueError(f"`encrypted` cannot be combined with `{attr}`: {why}")
    if f.auth == "password":
        raise ValueError("`encrypted` cannot be combined with `auth: password`: passwords are stored as hashes")
    if f.unique and not f.blind_index:
        raise ValueError("an encrypted `unique` field needs `blind_index: true` (uniqueness is kept on its index)")
    if f.auth == "login" and not f.blind_index:
        raise ValueError("an encrypted `auth: login` field needs `blind_index: true` (login looks it up by its index)")
    if f.default is not None:
        raise ValueError("an encrypted field cannot have a `default`: the database would store it in plain text")
    if f.name:
        check_identifier(f.name + BLIND_SUFFIX if f.blind_index else f.name, "blind index column")


@dataclass(frozen=True, slots=True)
class Field:
    """One column. `name` is filled from its key in `fields:`."""

    type: FieldType = FieldType.STRING
    name: str = field(default="", metadata={"internal": True})
    primary: bool = False
    auto: bool = False
    unique: bool = False
    required: bool = False
    nullable: bool = True
    default: Any = None
    max_length: int | None = None
    hidden: bool = False
    index: bool = False
    encrypted: bool = False
    blind_index: bool = False
    foreign: str | None = None
    filter: str | None = None
    auth: str | None = None
    description: str = ""
    # never taken from a request body: None means derived (generated ids, CURRENT_TIMESTAMP defaults)
    readonly: bool | None = None

    def __post_init__(self) -> None:
        if self.name:
            check_identifier(self.name, "field")
        if self.filter not in (None, "owner"):
            raise ValueError("filter must be 'owner'")
        if self.auth not in (None, "login", "password"):
            raise ValueError("auth must be 'login' or 'password'")
        if self.foreign is not None:
            parts = self.foreign.split(".")
            if len(parts) != 2:
                raise ValueError("foreign must be 'table.field'")
            check_identifier(parts[0], "foreign table")
            check_identifier(parts[1], "foreign field")
        if self.max_length is not None and self.max_length < 1:
            raise ValueError("max_length must be at least 1")
        if self.auto and self.type is not FieldType.INT:
            raise ValueError("auto applies only to int fields")
        if self.index and self.type in UNINDEXABLE:
            raise ValueError(f"`index` cannot apply to a {self.type.value} field (MariaDB indexes only a prefix of it)")
        if self.encrypted or self.blind_index:
            _check_encrypted(self)

    @property
    def blind_column(self) -> str | None:
        """The sibling column holding this field's blind index (an HMAC of the value), if it has one."""
        return f"{self.name}{BLIND_SUFFIX}" if self.blind_index else None

    @property
    def foreign_table(self) -> str | None:
        return self.foreign.split(".")[0] if self.foreign else None

    @property
    def foreign_field(self) -> str | None:
        return self.foreign.split(".")[1] if self.foreign else None

    @property
    def is_nullable(self) -> bool:
        """NULL is a valid stored value: neither primary, nor required, nor declared NOT NULL."""
        return self.nullable and not self.required and not self.primary

    @property
    def managed(self) -> bool:
        """Set by the database or the platform, never by a client: a generated id, a creation time (a date or
        date-time defaulting to CURRENT_TIMESTAMP), or a field declared `readonly: true` (`readonly: false` lets
        clients set a CURRENT_TIMESTAMP-defaulted field)."""
        if self.readonly is not None:
            return self.readonly or self.auto
        return self.auto or (
            self.type in (FieldType.DATE, FieldType.DATETIME)
            and isinstance(self.default, str)
            and self.default.strip().upper().rstrip("()") == "CURRENT_TIMESTAMP"
        )

    @property
    def is_required_on_create(self) -> bool:
        """A value must be given: declared required, or NOT NULL with no default and not generated."""
        if self.managed or self.filter == "owner":
            return False
        return self.required or (not self.nullable and self.default is None and not self.primary)

    def coerce(self, value: Any) -> Any:
        """The value to store, or ValueError saying what was expected."""
        if value is None:
            if not self.is_nullable:
                raise ValueError("must not be null")
            return None
        t = self.type
        if t is FieldType.INT:
            if isinstance(value, bool) or not isinstance(value, int):
                if isinstance(value, float) and value.is_integer():
                    value = int(value)
                else:
                    raise ValueError("must be an integer")
            if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
                raise ValueError("is out of range")
            return value
        if t is FieldType.FLOAT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("must be a number")
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError("must be a finite number")
            return float(value)
        if t is FieldType.BOOL:
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            raise ValueError("must be true or false")
        if t in (FieldType.STRING, FieldType.TEXT):
            if not isinstance(value, str):
                raise ValueError("must be a string")
            if "\x00" in value:
                raise ValueError("must not contain NUL characters")
            limit = self.max_length or (255 if t is FieldType.STRING else None)
            if limit is not None and len(value) > limit:
                raise ValueError(f"must be at most {limit} characters")
            return value
        if t is FieldType.DATE:
            if not isinstance(value, str):
                raise ValueError("must be a date (YYYY-MM-DD)")
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                raise ValueError("must be a date (YYYY-MM-DD)") from None
        if t is FieldType.DATETIME:
            if not isinstance(value, str):
                raise ValueError("must be a date-time (ISO 8601)")
            try:
                dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                raise ValueError("must be a date-time (ISO 8601)") from None
            if dt.tzinfo is not None:
                dt = dt.astimezone(UTC).replace(tzinfo=None)
            return dt.isoformat(sep=" ", timespec="seconds")
        return value  # JSON: any JSON value; the adapter serialises it
