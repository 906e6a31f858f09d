"""Differences between a declared schema and a live database, as the steps that would reconcile them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from domain.schema.indexes import missing_indexes, wanted_indexes
from domain.schema.model import Field, FieldType, Schema, Table

ChangeKind = Literal[
    "create_table",
    "drop_table",
    "add_column",
    "drop_column",
    "alter_column",
    "add_unique",
    "drop_unique",
    "add_index",
]
_NOW = re.compile(r"^current_timestamp(\(\))?$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    table: str
    column: str = ""
    detail: str = ""
    destructive: bool = False
    columns: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        text = f"{self.kind.replace('_', ' ')} {where}"
        if self.columns:
            text += f" ({', '.join(self.columns)})"
        if self.detail:
            text += f": {self.detail}"
        return text + (" [destructive]" if self.destructive else "")


def normalized_default(f: Field) -> Any:
    d = f.default
    if d is None:
        return None
    if isinstance(d, str) and _NOW.match(d.strip()):
        return "CURRENT_TIMESTAMP"
    if f.type is FieldType.BOOL:
        if isinstance(d, str):
            return d.strip().lower() in ("1", "true")
        return bool(d)
    if f.type in (FieldType.INT, FieldType.FLOAT):
        try:
            return float(d)
        except (TypeError, ValueError):
            return d
    return str(d)


def _length(f: Field) -> int | None:
    return (f.max_length or 255) if f.type is FieldType.STRING else None


def field_differences(declared: Field, live: Field) -> list[tuple[str, bool]]:
    """(what differs, whether reconciling it may lose data) for one column."""
    found: list[tuple[str, bool]] = []
    if declared.type is not live.type:
        # string -> text only widens (what `encrypted: true` does to a string column): no value can be lost
        widening = live.type is FieldType.STRING and declared.type is FieldType.TEXT
        found.append((f"type {live.type.value} -> {declared.type.value}", not widening))
    elif _length(declared) != _length(live):
        shrink = (_length(declared) or 0) < (_length(live) or 0)
        found.append((f"length {_length(live)} -> {_length(declared)}", shrink))
    if declared.is_nullable != live.is_nullable:
        found.append(("NULL allowed" if declared.is_nullable else "NOT NULL", not declared.is_nullable))
    if normalized_default(declared) != normalized_default(live):
        found.append((f"default {live.default!r} -> {declared.default!r}", False))
    if (declared.foreign or None) != (live.foreign or None):
        found.append((f"foreign key {live.foreign or 'none'} -> {declared.foreign or 'none'}", False))
    if declared.primary != live.primary:
        found.append(("primary key", True))
    return found


def diff_schemas(declared: Schema, live: Schema) -> list[Change]:
    """What `migrate` would do to bring `live` to `declared` (tables of the live side not declared are dropped)."""
    changes: list[Change] = []
    for name, table in declared.tables.items():
        current = live.tables.get(name)
        if current is None:
            changes.append(Change("create_table", name))
            changes += [Change("add_index", name, detail=w.reason, columns=w.columns) for w in wanted_indexes(table)]
            continue
        changes += _table_changes(table, current)
        changes += [
            Change("add_index", name, detail=w.reason, columns=w.columns)
            for w in missing_indexes(table, current.indexes, current)
        ]
    for name in live.tables:
        if name not in declared.tables:
            changes.append(Change("drop_table", name, destructive=True))
    return changes


def _table_changes(table: Table, current: Table) -> list[Change]:
    """Against the columns as stored: an encrypted field is its TEXT ciphertext column plus its `_bidx` sibling."""
    changes: list[Change] = []
    stored = table.stored_fields()
    for col, f in stored.items():
        live = current.fields.get(col)
        if live is None:
            changes.append(Change("add_column", table.name, col))
            if f.unique and not f.primary:
                changes.append(Change("add_unique", table.name, col, columns=(col,)))
            continue
        diffs = field_differences(f, live)
        if diffs:
            detail = "; ".join(d for d, _ in diffs)
            changes.append(Change("alter_column", table.name, col, detail, any(bad for _, bad in diffs)))
        if f.unique and not f.primary and not live.unique:
            changes.append(Change("add_unique", table.name, col, columns=(col,)))
        elif live.unique and not f.unique and not f.primary:
            changes.append(Change("drop_unique", table.name, col, columns=(col,)))
    for col in current.fields:
        if col not in stored:
            changes.append(Change("drop_column", table.name, col, destructive=True))
    declared_groups = {tuple(sorted(g)) for g in table.unique_together}
    live_groups = {tuple(sorted(g)) for g in current.unique_together}
    for group in sorted(declared_groups - live_groups):
        changes.append(Change("add_unique", table.name, columns=group))
    for group in sorted(live_groups - declared_groups):
        changes.append(Change("drop_unique", table.name, columns=group))
    return changes
