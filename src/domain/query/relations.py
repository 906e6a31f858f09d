"""Relations between tables, derived from `foreign: table.field`, named for `?include=`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from domain.schema.model import Schema, Table


@dataclass(frozen=True, slots=True)
class Relation:
    """`kind` one: this table's `local` column points at `remote` of `table` (task.project).
    `kind` many: rows of `table` whose `remote` column points at this table's `local` (project.tasks)."""

    name: str
    kind: Literal["one", "many"]
    table: str
    local: str
    remote: str


def relations_of(schema: Schema, table: Table) -> dict[str, Relation]:
    found: dict[str, Relation] = {}
    for f in table.fields.values():
        if f.foreign_table and f.foreign_field and f.foreign_table in schema.tables:
            name = f.name[:-3] if f.name.endswith("_id") and len(f.name) > 3 else f"{f.name}_ref"
            if name in table.fields or name in found:
                name = f"{f.name}_rel"
            found[name] = Relation(name, "one", f.foreign_table, f.name, f.foreign_field)
    for other in schema.tables.values():
        pointing = [f for f in other.fields.values() if f.foreign_table == table.name and f.foreign_field]
        for f in pointing:
            name = other.name if len(pointing) == 1 else f"{other.name}_by_{f.name}"
            if name in table.fields or name in found:
                name = f"{other.name}_by_{f.name}"
            assert f.foreign_field is not None
            found[name] = Relation(name, "many", other.name, f.foreign_field, f.name)
    return found
