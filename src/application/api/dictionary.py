"""The data dictionary of an app (GET /api/_schema): its exposed tables, their fields, relations and operations."""

from __future__ import annotations

from typing import Any

from application.api.routes import RouteTable
from domain.query.relations import relations_of
from domain.schema.model import Field, Schema, Table


def field_entry(f: Field) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": f.type.value}
    flags = {
        "primary": f.primary,
        "auto": f.auto,
        "unique": f.unique,
        "required": f.is_required_on_create,
        "nullable": f.is_nullable,
        "encrypted": f.encrypted,
        "blind_index": f.blind_index,
    }
    entry.update({k: v for k, v in flags.items() if v or k == "nullable"})
    for key, value in (
        ("default", f.default),
        ("max_length", f.max_length),
        ("foreign", f.foreign),
        ("filter", f.filter),
        ("auth", f.auth if f.auth == "login" else None),
        ("description", f.description or None),
    ):
        if value is not None:
            entry[key] = value
    return entry


def table_entry(schema: Schema, table: Table, routes: RouteTable) -> dict[str, Any]:
    return {
        "name": table.name,
        "description": table.description,
        "primary_key": table.primary_key,
        "owner_field": table.owner_field,
        "operations": routes.operations(table.name),
        "overridden_by_queries": routes.operations(table.name, source="queries"),
        "order": table.order or None,
        "fields": {n: field_entry(f) for n, f in table.fields.items() if not f.hidden},
        "relations": {
            name: {"kind": r.kind, "table": r.table, "local": r.local, "remote": r.remote}
            for name, r in relations_of(schema, table).items()
        },
    }


def data_dictionary(routes: RouteTable, schema: Schema) -> dict[str, Any]:
    """The tables of `schema` the app's routes serve; `schema` is the one its fields are read from (schema.yaml, else
    the live database)."""
    app = routes.app
    return {
        "app": app.name,
        "version": app.settings.version,
        "base_path": app.settings.base_path,
        "source": "schema.yaml" if app.schema is not None else "database",
        "tables": {
            name: table_entry(schema, t, routes) for name, t in schema.tables.items() if routes.operations(name)
        },
    }
