"""Tables and fields (schema.yaml, or read from the live database) and how they judge input."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from .errors import FieldError, InvalidInput
from .identifiers import check_identifier


class FieldType(StrEnum):
    INT = "int"
    STRING = "string"
    TEXT = "text"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    JSON = "json"


CRUD_OPERATIONS = ("list", "show", "create", "update", "delete")
_INT_RANGE = (-(2**63), 2**63 - 1)


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
    encrypted: bool = False
    foreign: str | None = None
    filter: str | None = None
    auth: str | None = None
    description: str = ""

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
    def is_required_on_create(self) -> bool:
        """A value must be given: declared required, or NOT NULL with no default and not generated."""
        if self.auto or self.filter == "owner":
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


@dataclass(frozen=True, slots=True)
class Table:
    """One table: its fields in order, what CRUD it exposes, its order and role filters."""

    name: str
    fields: dict[str, Field]
    crud: tuple[str, ...] = CRUD_OPERATIONS
    order: str = ""
    filters: dict[str, str] | None = None
    check: dict[str, str] | None = None
    roles: dict[str, tuple[str, ...]] | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    _presenters: dict[str, Callable[[Any], Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _visible: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_identifier(self.name, "table")
        for op in self.crud:
            if op not in CRUD_OPERATIONS:
                raise ValueError(f"crud operation {op!r} is not one of {', '.join(CRUD_OPERATIONS)}")
        for role, ops in (self.roles or {}).items():
            for op in ops:
                if op not in CRUD_OPERATIONS:
                    raise ValueError(f"roles.{role}: {op!r} is not one of {', '.join(CRUD_OPERATIONS)}")
        for group in self.unique_together:
            for col in group:
                if col not in self.fields:
                    raise ValueError(f"unique_together names {col!r}, which is not a field")
        for name, f in self.fields.items():
            present = _PRESENTERS.get(f.type)
            if present is not None:
                self._presenters[name] = present
        object.__setattr__(self, "_visible", tuple(n for n, f in self.fields.items() if not f.hidden))

    def present(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row as the API shows it, the same on every database (bools, JSON, ISO dates, numbers)."""
        for name, present in self._presenters.items():
            value = row.get(name)
            if value is not None:
                row[name] = present(value)
        return row

    def allows(self, role: str, op: str) -> bool:
        """Whether `role` may do `op` here: `roles` lists each role's operations (`default` for the rest)."""
        if op not in self.crud:
            return False
        if self.roles is None:
            return True
        ops = self.roles.get(role, self.roles.get("default"))
        return ops is not None and op in ops

    @property
    def primary_key(self) -> str:
        for f in self.fields.values():
            if f.primary:
                return f.name
        return "id" if "id" in self.fields else next(iter(self.fields), "id")

    @property
    def owner_field(self) -> str | None:
        for f in self.fields.values():
            if f.filter == "owner":
                return f.name
        return None

    def visible_fields(self) -> tuple[str, ...]:
        return self._visible

    def validate(
        self, payload: dict[str, Any], *, writable: tuple[str, ...] | None = None, partial: bool
    ) -> dict[str, Any]:
        """Coerced values for the writable fields in `payload`; InvalidInput listing every bad field.

        Fields outside `writable` (or generated, or owner-bound) are ignored, never trusted.
        With `partial=False` every field required on create must be present.
        """
        allowed = writable if writable is not None else self.writable_fields()
        values: dict[str, Any] = {}
        errors: list[FieldError] = []
        for name in allowed:
            f = self.fields.get(name)
            if name not in payload:
                if not partial and f is not None and f.is_required_on_create and f.auth != "password":
                    errors.append(FieldError(name, "is required"))
                continue
            if f is None:
                values[name] = _scalar(name, payload[name], errors)
                continue
            try:
                values[name] = f.coerce(payload[name])
            except ValueError as exc:
                errors.append(FieldError(name, str(exc)))
        if errors:
            raise InvalidInput(errors)
        return values

    def writable_fields(self) -> tuple[str, ...]:
        """What a client may set: not generated, not owner-bound, not hidden (hidden fields, the password hash
        above all, are written by the platform only, as PocketBase does for its hidden fields)."""
        return tuple(
            n
            for n, f in self.fields.items()
            if not f.auto and not f.primary and f.filter != "owner" and not f.hidden and f.auth != "password"
        )


def _bool(v: Any) -> Any:
    return bool(v) if isinstance(v, int) else v


def _json(v: Any) -> Any:
    if isinstance(v, str | bytes):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _datetime(v: Any) -> Any:
    """Stored date-times are UTC (inputs are converted); shown as RFC 3339 with `Z`."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(UTC).replace(tzinfo=None)
        return v.isoformat(timespec="seconds") + "Z"
    if isinstance(v, str) and len(v) >= 19 and v[10] in " T" and v[4] == "-":
        return v[:10] + "T" + v[11:19] + "Z"
    return v


def _date(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _float(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v


_PRESENTERS: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.BOOL: _bool,
    FieldType.JSON: _json,
    FieldType.DATETIME: _datetime,
    FieldType.DATE: _date,
    FieldType.FLOAT: _float,
}


def _scalar(name: str, value: Any, errors: list[FieldError]) -> Any:
    """Without a declared type, accept only scalars (a column holds one value)."""
    if isinstance(value, dict | list):
        errors.append(FieldError(name, "must be a single value, not an object or a list"))
    return value


@dataclass(frozen=True, slots=True)
class Schema:
    tables: dict[str, Table] = field(default_factory=dict)

    def table(self, name: str) -> Table | None:
        return self.tables.get(name)

    def problems(self) -> list[str]:
        """Cross-table mistakes: a foreign key to a missing table or field, two primary keys, two owners."""
        found: list[str] = []
        for t in self.tables.values():
            if not t.fields:
                found.append(f"table {t.name} has no fields")
            if sum(f.primary for f in t.fields.values()) > 1:
                found.append(f"table {t.name} has more than one primary field")
            if sum(f.filter == "owner" for f in t.fields.values()) > 1:
                found.append(f"table {t.name} has more than one `filter: owner` field")
            for f in t.fields.values():
                if f.foreign is None:
                    continue
                target = self.tables.get(f.foreign_table or "")
                if target is None:
                    found.append(f"{t.name}.{f.name}: foreign table {f.foreign_table!r} is not in the schema")
                elif f.foreign_field not in target.fields:
                    found.append(f"{t.name}.{f.name}: foreign field {f.foreign!r} does not exist")
        return found
