"""Tables and fields (schema.yaml, or read from the live database) and how they judge input.

A field's own rules are in field.py, how a stored value is shown in presenters.py; a table and a schema are here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from domain.errors import FieldError, InvalidInput
from domain.identifiers import check_identifier
from domain.schema.field import BLIND_LENGTH, BLIND_SUFFIX, UNINDEXABLE, Field, FieldType
from domain.schema.presenters import PRESENTERS

__all__ = [
    "BLIND_LENGTH",
    "BLIND_SUFFIX",
    "CRUD_OPERATIONS",
    "UNINDEXABLE",
    "Field",
    "FieldType",
    "Schema",
    "Table",
]

CRUD_OPERATIONS = ("list", "show", "create", "update", "delete")


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
    indexes: tuple[tuple[str, ...], ...] = ()
    description: str = ""
    _presenters: dict[str, Callable[[Any], Any]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _visible: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    _encrypted: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)

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
                if self.fields[col].encrypted:
                    raise ValueError(f"unique_together names {col!r}, which is encrypted")
        for group in self.indexes:
            if not group:
                raise ValueError("an `indexes:` entry lists no column")
            for col in group:
                f = self.fields.get(col)
                if f is None:
                    raise ValueError(f"indexes names {col!r}, which is not a field")
                if f.encrypted or f.type in UNINDEXABLE:
                    raise ValueError(f"indexes names {col!r}, a {'encrypted' if f.encrypted else f.type.value} field")
        encrypted = tuple(n for n, f in self.fields.items() if f.encrypted)
        if encrypted:
            if not any(f.primary for f in self.fields.values()):
                raise ValueError(
                    f"field {encrypted[0]!r} is encrypted but the table has no `primary` field "
                    "(each value is bound to its row's key)"
                )
            for n in encrypted:
                sibling = self.fields[n].blind_column
                if sibling is not None and sibling in self.fields:
                    raise ValueError(f"field {sibling!r} clashes with the blind index column of {n!r}")
        object.__setattr__(self, "_encrypted", encrypted)
        for name, f in self.fields.items():
            present = PRESENTERS.get(f.type)
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

    @property
    def encrypted(self) -> tuple[str, ...]:
        """Names of the encrypted fields (empty for most tables: the hot path checks this first)."""
        return self._encrypted

    def blind_columns(self) -> dict[str, str]:
        """Blind-index sibling column -> the encrypted field it indexes."""
        return {f.blind_column: n for n in self._encrypted if (f := self.fields[n]).blind_column is not None}

    def stored_fields(self) -> dict[str, Field]:
        """The columns as the database holds them: an encrypted field is TEXT (its ciphertext) with no
        uniqueness of its own; a blind index is a sibling column carrying the field's `unique`."""
        if not self._encrypted:
            return self.fields
        out: dict[str, Field] = {}
        for name, f in self.fields.items():
            if not f.encrypted:
                out[name] = f
                continue
            out[name] = Field(type=FieldType.TEXT, name=name, nullable=f.nullable, required=f.required)
            sibling = f.blind_column
            if sibling is not None:
                out[sibling] = Field(type=FieldType.STRING, name=sibling, max_length=BLIND_LENGTH, unique=f.unique)
        return out

    def validate(
        self, payload: dict[str, Any], *, writable: tuple[str, ...] | None = None, partial: bool
    ) -> dict[str, Any]:
        """Coerced values for the writable fields in `payload`; InvalidInput listing every bad field.

        Fields outside `writable` (generated, server-managed, owner- or claim-bound) are ignored, never trusted.
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
            if not f.managed and not f.primary and f.filter != "owner" and not f.hidden and f.auth != "password"
        )


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
