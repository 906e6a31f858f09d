"""A schema generated from the live database, keeping what a person wrote in the previous schema.yaml."""

from __future__ import annotations

from dataclasses import replace

from domain.schema.indexes import covers, wanted_indexes
from domain.schema.model import CRUD_OPERATIONS, Field, Schema, Table

_KEPT_FIELD_ATTRS = ("hidden", "auth", "encrypted", "description", "filter", "required", "readonly")


def _annotate_indexes(table: Table, live: tuple[tuple[str, ...], ...], kept: tuple[tuple[str, ...], ...]) -> Table:
    """The live database's plain indexes as the schema says them: nothing for one the schema derives anyway,
    `index: true` for a field sorted within the table's scope, an `indexes:` group for any other."""
    groups = list(kept)
    fields = dict(table.fields)
    owner = table.owner_field
    for cols in live:
        derived = replace(table, fields=fields, indexes=tuple(groups))
        wanted = wanted_indexes(derived)
        if any(covers(cols, w.columns, table) or covers(w.columns, cols, table) for w in wanted):
            continue  # it serves an index the schema derives, or one of those serves what it does
        pk = table.primary_key
        bare = cols[:-1] if len(cols) > 1 and cols[-1] == pk else cols
        lead = (owner,) if owner else ()
        if len(bare) == len(lead) + 1 and bare[: len(lead)] == lead and bare[-1] in fields:
            name = bare[-1]
            if not fields[name].index and fields[name].type.value not in ("text", "json"):
                fields[name] = replace(fields[name], index=True)
                continue
        if cols not in groups and all(c in fields for c in cols):
            groups.append(cols)
    return replace(table, fields=fields, indexes=tuple(groups))


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
    if old.encrypted:
        # the live column is its ciphertext (TEXT, no uniqueness): the declared type, length and index stand
        return old
    kept = {attr: getattr(old, attr) for attr in _KEPT_FIELD_ATTRS}
    kept["index"] = old.index or live.index
    if old.filter is None and live.filter == "owner":
        kept["filter"] = None  # a person removed the owner filter on purpose
    return replace(live, **kept)


def merge_generated(live: Schema, existing: Schema | None) -> Schema:
    """Tables and columns from the database; table settings and field annotations from `existing`.

    The live tables' `indexes` are every plain index the database has; the result says only those the
    schema would not create by itself (as `index: true` or `indexes:`)."""
    tables: dict[str, Table] = {}
    for name, table in live.tables.items():
        old = existing.tables.get(name) if existing else None
        live_indexes = table.indexes
        if old is None:
            fresh = _annotate_accounts(replace(table, crud=CRUD_OPERATIONS, indexes=()))
            tables[name] = _annotate_indexes(fresh, live_indexes, ())
            continue
        siblings = old.blind_columns()
        fields = {col: _merge_field(f, old.fields.get(col)) for col, f in table.fields.items() if col not in siblings}
        kept = tuple(g for g in old.indexes if all(c in fields for c in g))
        merged = replace(
            table,
            fields=fields,
            crud=old.crud,
            order=old.order,
            filters=old.filters,
            check=old.check,
            roles=old.roles,
            description=old.description,
            indexes=kept,
        )
        tables[name] = _annotate_indexes(merged, live_indexes, kept)
    return Schema(tables)
