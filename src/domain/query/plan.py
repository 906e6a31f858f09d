"""What a read asks for, checked against the schema before any SQL exists: columns, filters, sort, page, includes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domain.errors import BadRequest, Forbidden
from domain.principal import Principal
from domain.query.cursor import CursorCodec
from domain.query.files import role_condition
from domain.query.keyset import parse_order, reversed_order, unique_order
from domain.query.listing import Condition, ListParams, null_flag, split_in, typed_value
from domain.query.relations import Relation, relations_of
from domain.query.sql_text import placeholders
from domain.query.statement import Statement
from domain.schema.model import Field, FieldType, Schema, Table

MAX_INCLUDE_DEPTH = 3


@dataclass(frozen=True, slots=True)
class Scope:
    """The rows a principal may touch: a SQL condition over the table's columns, and its bound values."""

    condition: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    op: str
    value: Any  # a typed value; a list for `in`; a bool for `null`


@dataclass(frozen=True, slots=True)
class SelectPlan:
    table: str
    columns: tuple[str, ...]
    filters: tuple[Filter, ...] = ()
    sort: tuple[tuple[str, bool], ...] = ()
    limit: int | None = None
    offset: int = 0
    scope: Scope | None = None
    seek: tuple[Any, ...] | None = None  # keyset: only rows strictly after these values of `sort`
    backward: bool = False  # `sort` is the list's order reversed (a `before` page): the rows come back reversed
    cursor: str | None = None  # what this list's cursors are bound to; None when its order cannot be paged by one
    key: Any = None
    key_column: str = "id"
    parent_in: tuple[str, tuple[Any, ...]] | None = None  # (column, values) for an include level


@dataclass(frozen=True, slots=True)
class IncludeNode:
    relation: Relation
    table: Table
    children: tuple[IncludeNode, ...] = ()


def table_scope(table: Table, principal: Principal) -> Scope | None:
    """Owner filter by default, the table's role filters where given; Forbidden when the role has none."""
    filters: dict[str, str] = {}
    owner = table.owner_field
    if owner is not None:
        filters["default"] = f"{owner} = :user_id"
    if table.filters:
        filters.update(table.filters)
    if not filters:
        return None
    condition = role_condition(filters, principal.role)
    if not condition:
        return None
    available = principal.bind_params()
    params: dict[str, Any] = {}
    for name in placeholders(condition):
        if name not in available:
            raise Forbidden(f"This table's filter needs '{name}', which your account does not have")
        params[name] = available[name]
    return Scope(condition, params)


def _visible(table: Table, name: str, what: str) -> None:
    f = table.fields.get(name)
    if f is None or f.hidden:
        raise BadRequest(f"Unknown {what} '{name}' on '{table.name}'")


def _filter(table: Table, cond: Condition) -> Filter:
    if table.encrypted and cond.field in table.blind_columns():
        # put there by the application from `field=value` on a blind-indexed field: the HMAC, compared as is
        if cond.op != "eq":
            raise BadRequest(f"Unknown field '{cond.field}' on '{table.name}'")
        return Filter(cond.field, "eq", cond.value)
    _visible(table, cond.field, "field")
    f = table.fields[cond.field]
    ftype = f.type
    if cond.op == "null":
        return Filter(cond.field, "null", null_flag(cond))
    if f.encrypted:
        raise BadRequest(encrypted_refusal(cond.field, cond.op, f.blind_index))
    if cond.op == "in":
        return Filter(cond.field, "in", tuple(typed_value(ftype.value, cond.field, v) for v in split_in(cond)))
    if cond.op == "like":
        if ftype not in (FieldType.STRING, FieldType.TEXT):
            raise BadRequest(f"'{cond.field}[like]' needs a text field")
        return Filter(cond.field, "like", cond.value)
    if ftype is FieldType.JSON:
        raise BadRequest(f"'{cond.field}' is a JSON field and cannot be filtered")
    return Filter(cond.field, cond.op, typed_value(ftype.value, cond.field, cond.value))


def encrypted_refusal(name: str, op: str, blind_index: bool) -> str:
    """Why `name[op]` cannot be asked of an encrypted field (the database holds only its ciphertext)."""
    if blind_index:
        return f"'{name}' is encrypted: it can be filtered only by equality ({name}=value) or [null], not [{op}]"
    return f"'{name}' is encrypted: it cannot be filtered (only [null]); give it `blind_index: true` for equality"


def read_columns(table: Table, requested: tuple[str, ...] | None) -> tuple[str, ...]:
    if requested is None:
        return table.visible_fields()
    for name in requested:
        _visible(table, name, "field")
    return tuple(dict.fromkeys(requested))


def _cursor_value_ok(f: Field, value: Any) -> bool:
    if value is None:
        return f.is_nullable
    if f.type is FieldType.INT:
        return isinstance(value, int) and not isinstance(value, bool)
    if f.type is FieldType.FLOAT:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if f.type is FieldType.BOOL:
        return isinstance(value, bool) or value in (0, 1)
    return isinstance(value, str)


def list_order(table: Table, params: ListParams) -> tuple[tuple[tuple[str, bool], ...], bool]:
    """The list's order made total by the primary key, and whether a cursor may carry its values.

    `sort=` names visible fields (checked); without it, the table's `order:` when it is plain columns.
    An `order:` with expressions is used as written (no sort keys, no cursor).
    """
    pk = table.primary_key
    if params.sort:
        keys = []
        for key in params.sort:
            _visible(table, key.field, "sort field")
            if table.fields[key.field].encrypted:
                raise BadRequest(f"'{key.field}' is encrypted: a list cannot be sorted by it")
            keys.append((key.field, key.descending))
        return unique_order(keys, pk), True
    parsed = parse_order(table.order)
    if parsed is None or any(name not in table.fields for name, _ in parsed):
        return (), False
    sort = unique_order(parsed, pk)
    private = any(table.fields[n].hidden or table.fields[n].encrypted for n, _ in sort if n in table.fields)
    return sort, pk in table.fields and not private


def plan_list(table: Table, params: ListParams, scope: Scope | None, cursors: CursorCodec | None = None) -> SelectPlan:
    """The page asked for: one row more than `limit` (it says whether there is a next page), from the offset
    or from a cursor, which must have been made for this same table, sort and filters."""
    sort, pageable = list_order(table, params)
    filters = tuple(_filter(table, c) for c in params.conditions)
    binding = None
    if pageable and cursors is not None:
        binding = repr((table.name, sort, tuple((c.field, c.op, c.value) for c in params.conditions)))
    token = params.after if params.after is not None else params.before
    seek = None
    if token is not None:
        if binding is None or cursors is None:
            raise BadRequest(f"The default order of '{table.name}' cannot be paged by cursor: give sort=")
        seek = cursors.decode(binding, token, len(sort))
        for (name, _), value in zip(sort, seek, strict=True):
            if not _cursor_value_ok(table.fields[name], value):
                raise BadRequest("Invalid cursor: use meta.next or meta.prev of this same list (same sort and filters)")
    backward = params.before is not None
    return SelectPlan(
        table=table.name,
        columns=read_columns(table, params.fields),
        filters=filters,
        sort=reversed_order(sort) if backward else sort,
        limit=params.limit + 1,
        offset=params.offset,
        scope=scope,
        seek=seek,
        backward=backward,
        cursor=binding,
        key_column=table.primary_key,
    )


def plan_includes(schema: Schema, table: Table, names: tuple[str, ...]) -> tuple[IncludeNode, ...]:
    """The include tree for `?include=a,b.c`; each name checked, depth limited, hidden tables refused."""
    tree: dict[str, Any] = {}
    for dotted in names:
        parts = dotted.split(".")
        if len(parts) > MAX_INCLUDE_DEPTH:
            raise BadRequest(f"include '{dotted}' is deeper than {MAX_INCLUDE_DEPTH} levels")
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
    return _nodes(schema, table, tree)


def _nodes(schema: Schema, table: Table, tree: dict[str, Any]) -> tuple[IncludeNode, ...]:
    if not tree:  # no include asked (most requests): no relation to look up
        return ()
    rels = relations_of(schema, table)
    out: list[IncludeNode] = []
    for name, sub in tree.items():
        rel = rels.get(name)
        target = schema.tables.get(rel.table) if rel else None
        if rel is None or target is None or not ({"list", "show"} & set(target.crud)):
            raise BadRequest(f"Unknown include '{name}' on '{table.name}'")
        out.append(IncludeNode(rel, target, _nodes(schema, target, sub)))
    return tuple(out)


def scope_check(table: Table, scope: Scope | None, row: dict[str, Any]) -> Statement | None:
    """`SELECT 1` returning a row when `row` (the values a write leaves in the table) is inside `scope`: the role's
    filter evaluated over a one-row table of those values, named like the table. A write may not put a row where
    its author could no longer see it (give it to another user, move it to another organization).

    None when there is no filter, or it names a column the row has no value for (an id not generated yet, a hidden
    field): the role's `check` is then what guards the values.
    """
    if scope is None:
        return None
    columns = [c for c in table.fields if c in row]
    mentioned = {w for w in re.findall(r"(?<![:.\w])[A-Za-z_]\w*", scope.condition) if w in table.fields}
    if not columns or not mentioned <= set(columns):
        return None
    values = ", ".join(f":_row_{c} AS {c}" for c in columns)
    sql = f"SELECT 1 AS ok FROM (SELECT {values}) {table.name} WHERE ({scope.condition})"
    return Statement(sql, {**scope.params, **{f"_row_{c}": row[c] for c in columns}})
