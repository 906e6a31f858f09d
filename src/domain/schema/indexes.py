"""The indexes a table's list forms need, derived from its schema: the scope each role lists through, the
default order, the fields declared `index: true`, the foreign keys `include` follows, and `indexes:` groups.

An index serves a list of 50 when its leading columns are the scope's (equality) columns followed by the sort
keys: the database then reads the page in order and stops, whatever the table's size. Both engines keep the
primary key at the end of every secondary index (InnoDB always; SQLite's rowid when the key is an INTEGER
PRIMARY KEY), so a live index `(user_id, position)` serves the order `position, id` of one user.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from domain.query.keyset import parse_order, unique_order
from domain.schema.model import FieldType, Table

_MAX_NAME = 64  # MariaDB's limit for an index name
_EQUALS = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*:[A-Za-z_][A-Za-z0-9_]*\s*$")
_IN_SUBQUERY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+IN\s*\(\s*SELECT\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ListPath:
    """One way a table is read: what it is, the condition columns and sort keys, and the index that serves it.

    `columns` is None when no index can serve it (the scope or the order is an expression)."""

    table: str
    what: str
    role: str | None
    scope: tuple[str, ...] | None
    sort: tuple[tuple[str, bool], ...]
    columns: tuple[str, ...] | None
    why_not: str = ""


@dataclass(frozen=True, slots=True)
class IndexSpec:
    table: str
    columns: tuple[str, ...]
    reason: str

    @property
    def name(self) -> str:
        return index_name(self.table, self.columns)


def index_name(table: str, columns: tuple[str, ...]) -> str:
    name = f"ix_{table}_{'_'.join(columns)}"
    if len(name) <= _MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"ix_{table[:40]}_{digest}"


def scope_column(condition: str) -> tuple[str, ...] | None:
    """The column a role's row filter selects on: `col = :param` or `col IN (SELECT ...)`; () for no filter;
    None for any other expression (no index can be derived from it)."""
    if not condition.strip():
        return ()
    for pattern in (_EQUALS, _IN_SUBQUERY):
        m = pattern.match(condition)
        if m:
            return (m.group(1),)
    return None


def role_scopes(table: Table) -> dict[str, str]:
    """Each role's row filter as `table_scope` applies it: the owner filter by default, `filters:` over it."""
    scopes: dict[str, str] = {}
    owner = table.owner_field
    if owner is not None:
        scopes["default"] = f"{owner} = :user_id"
    scopes.update(table.filters or {})
    return scopes or {"default": ""}


def default_sort(table: Table) -> tuple[tuple[str, bool], ...] | None:
    """The default list's order made total by the primary key; None when `order:` is an expression."""
    parsed = parse_order(table.order)
    if parsed is None:
        return None
    plain = tuple((name.rsplit(".", 1)[-1], desc) for name, desc in parsed)
    if any(name not in table.fields for name, _ in plain):
        return None
    return unique_order(plain, table.primary_key)


def _columns(scope: tuple[str, ...], sort: tuple[tuple[str, bool], ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*scope, *(name for name, _ in sort))))


def list_paths(table: Table) -> list[ListPath]:
    """Every declared way this table is listed: each role's default list, and a sort on each indexed field."""
    pk = table.primary_key
    paths: list[ListPath] = []
    if "list" not in table.crud:
        return paths
    sort = default_sort(table)
    single = {pk, *(f.name for f in table.fields.values() if f.unique)}
    indexed = [f.name for f in table.fields.values() if f.index]
    seen: set[tuple[tuple[str, ...] | None, str]] = set()
    for role, condition in role_scopes(table).items():
        scope = scope_column(condition)
        if scope and scope[0] in single:
            continue  # the filter picks rows by their key: at most a handful, read by the key's own index
        label = "" if role == "default" else f" as role {role}"
        if (scope, table.order) in seen:
            continue
        seen.add((scope, table.order))
        if scope is None:
            why = f"role {role}'s filter is an expression: {condition.strip()}"
            paths.append(ListPath(table.name, f"list{label}", role, None, sort or (), None, why))
        elif sort is None:
            why = f"`order: {table.order}` is an expression: every list sorts all its rows"
            paths.append(ListPath(table.name, f"list{label}", role, scope, (), None, why))
        else:
            paths.append(ListPath(table.name, f"list{label}", role, scope, sort, _columns(scope, sort)))
        for name in indexed:
            if scope is None:
                continue
            keyed = unique_order(((name, False),), pk)
            paths.append(ListPath(table.name, f"list sort={name}{label}", role, scope, keyed, _columns(scope, keyed)))
            if sort is not None and sort != keyed[1:]:  # `?name=v` in the default order: equality, then the order
                filtered = (*scope, name)
                paths.append(
                    ListPath(table.name, f"list {name}=…{label}", role, filtered, sort, _columns(filtered, sort))
                )
    return paths


def include_paths(table: Table) -> list[ListPath]:
    """The reads `include` makes into this table: rows whose foreign key is among the parent page's keys."""
    out: list[ListPath] = []
    for f in table.fields.values():
        if f.foreign_table and f.foreign_field:
            out.append(
                ListPath(
                    table.name,
                    f"include {table.name} by {f.name} (from {f.foreign_table})",
                    None,
                    (f.name,),
                    ((table.primary_key, False),),
                    (f.name,),
                )
            )
    return out


def covers(existing: tuple[str, ...], wanted: tuple[str, ...], table: Table) -> bool:
    """Whether an index on `existing` serves `wanted`: `wanted` is its leading part, counting the primary key
    both engines keep at the end of a secondary index (an integer key on SQLite: the rowid)."""
    pk = table.primary_key
    full = existing
    pk_field = table.fields.get(pk)
    if pk not in existing and pk_field is not None and pk_field.type is FieldType.INT:
        full = (*existing, pk)
    return full[: len(wanted)] == wanted


def existing_keys(table: Table) -> list[tuple[str, ...]]:
    """What already serves lookups without a plain index: the primary key and the unique columns/groups."""
    keys: list[tuple[str, ...]] = [(table.primary_key,)]
    keys += [(f.name,) for f in table.fields.values() if f.unique]
    keys += list(table.unique_together)
    return keys


def wanted_indexes(table: Table) -> list[IndexSpec]:
    """The indexes this table's lists, sorts and includes need, each once (one that leads another is dropped,
    as is one the primary key or a unique constraint already serves)."""
    candidates: list[IndexSpec] = []
    for path in [*list_paths(table), *include_paths(table)]:
        if path.columns:
            candidates.append(IndexSpec(table.name, path.columns, path.what))
    for group in table.indexes:
        candidates.append(IndexSpec(table.name, tuple(group), "declared in `indexes:`"))
    keys = existing_keys(table)
    out: list[IndexSpec] = []
    for c in candidates:
        if any(covers(k, c.columns, table) for k in keys):
            continue
        if any(o.columns[: len(c.columns)] == c.columns for o in candidates if o.columns != c.columns):
            continue  # a longer index leads with these columns
        if any(o.columns == c.columns for o in out):
            continue
        out.append(c)
    return out


def missing_indexes(declared: Table, live_indexes: tuple[tuple[str, ...], ...], live: Table) -> list[IndexSpec]:
    """The wanted indexes of `declared` that no live index (nor the live keys) serves."""
    have = [*live_indexes, *existing_keys(live)]
    return [w for w in wanted_indexes(declared) if not any(covers(h, w.columns, declared) for h in have)]
