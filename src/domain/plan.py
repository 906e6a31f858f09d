"""What a read asks for, checked against the schema before any SQL exists: columns, filters, sort, page, includes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import BadRequest, Forbidden
from .listing import Condition, ListParams, null_flag, split_in, typed_value
from .principal import Principal
from .queries import role_condition
from .relations import Relation, relations_of
from .schema import FieldType, Schema, Table
from .sql_text import placeholders

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
    with_total: bool = False
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
    _visible(table, cond.field, "field")
    ftype = table.fields[cond.field].type
    if cond.op == "null":
        return Filter(cond.field, "null", null_flag(cond))
    if cond.op == "in":
        return Filter(cond.field, "in", tuple(typed_value(ftype.value, cond.field, v) for v in split_in(cond)))
    if cond.op == "like":
        if ftype not in (FieldType.STRING, FieldType.TEXT):
            raise BadRequest(f"'{cond.field}[like]' needs a text field")
        return Filter(cond.field, "like", cond.value)
    if ftype is FieldType.JSON:
        raise BadRequest(f"'{cond.field}' is a JSON field and cannot be filtered")
    return Filter(cond.field, cond.op, typed_value(ftype.value, cond.field, cond.value))


def read_columns(table: Table, requested: tuple[str, ...] | None) -> tuple[str, ...]:
    if requested is None:
        return table.visible_fields()
    for name in requested:
        _visible(table, name, "field")
    return tuple(dict.fromkeys(requested))


def plan_list(table: Table, params: ListParams, scope: Scope | None) -> SelectPlan:
    sort: list[tuple[str, bool]] = []
    for key in params.sort:
        _visible(table, key.field, "sort field")
        sort.append((key.field, key.descending))
    if not sort and not table.order:
        sort.append((table.primary_key, False))
    return SelectPlan(
        table=table.name,
        columns=read_columns(table, params.fields),
        filters=tuple(_filter(table, c) for c in params.conditions),
        sort=tuple(sort),
        limit=params.limit,
        offset=params.offset,
        scope=scope,
        with_total=True,
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
