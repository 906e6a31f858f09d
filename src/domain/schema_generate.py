"""A schema generated from the live database, keeping what a person wrote in the previous schema.yaml."""

from __future__ import annotations

from dataclasses import replace

from .schema import CRUD_OPERATIONS, Field, Schema, Table

_KEPT_FIELD_ATTRS = ("hidden", "auth", "encrypted", "description", "filter", "required")


def _annotate_accounts(table: Table) -> Table:
    """A `users` table with email and password columns becomes the app's accounts table."""
    if table.name != "users" or "email" not in table.fields or "password" not in table.fields:
        return table
    fields = dict(table.fields)
    fields["email"] = replace(fields["email"], auth="login")
    fields["password"] = replace(fields["password"], auth="password", hidden=True)
    return replace(table, fields=fields, crud=())


def _merge_field(live: Field, old: Field | None) -> Field:
    if old is None:
        return live
    kept = {attr: getattr(old, attr) for attr in _KEPT_FIELD_ATTRS}
    if old.filter is None and live.filter == "owner":
        kept["filter"] = None  # a person removed the owner filter on purpose
    return replace(live, **kept)


def merge_generated(live: Schema, existing: Schema | None) -> Schema:
    """Tables and columns from the database; table settings and field annotations from `existing`."""
    tables: dict[str, Table] = {}
    for name, table in live.tables.items():
        old = existing.tables.get(name) if existing else None
        if old is None:
            tables[name] = _annotate_accounts(replace(table, crud=CRUD_OPERATIONS))
            continue
        fields = {col: _merge_field(f, old.fields.get(col)) for col, f in table.fields.items()}
        tables[name] = replace(
            table,
            fields=fields,
            crud=old.crud,
            order=old.order,
            filters=old.filters,
            check=old.check,
            roles=old.roles,
            description=old.description,
        )
    return Schema(tables)
