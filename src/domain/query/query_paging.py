"""The order of a query file's list page: `sort=` or its `order:`, made total by the key column, and its cursor."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import BadRequest
from domain.query.cursor import CursorCodec
from domain.query.keyset import SeekKey, parse_order, reversed_order, seek_condition, unique_order
from domain.query.listing import ListParams
from domain.query.sql_clauses import select_columns
from domain.query.statement import Statement
from domain.query.text_filters import output_expression


@dataclass(frozen=True, slots=True)
class QueryOrder:
    """The ORDER BY of one page, the output columns whose values a cursor carries, and the keyset condition."""

    order: str | None  # None: the query's own order, untouched
    keys: tuple[str, ...] = ()
    binding: str | None = None  # None: this list cannot be paged by cursor
    seek: Statement | None = None
    backward: bool = False


def _named(columns: dict[str, str | None], order: tuple[tuple[str, bool], ...]) -> tuple[tuple[str, bool], ...] | None:
    """The query's `order:` (expressions like `t.position`) as its output column names; None if one is not output."""
    by_expr = {expr: alias for alias, expr in columns.items() if expr is not None}
    named = []
    for expr, desc in order:
        alias = by_expr.get(expr)
        if alias is None:
            return None
        named.append((alias, desc))
    return tuple(named)


def _sql(exprs: list[str], order: tuple[tuple[str, bool], ...]) -> str:
    return ", ".join(f"{e} {'DESC' if desc else 'ASC'}" for e, (_, desc) in zip(exprs, order, strict=True))


def query_order(
    query_sql: str, default_order: str, params: ListParams, key: str, binding_prefix: str, codec: CursorCodec
) -> QueryOrder:
    """How to order and position one page of a query-file list.

    `sort=` names output columns that read plain columns (checked here); without it the query's `order:` is
    used, as plain columns when it can be read so. With the key column among the output, the order is made total
    by it and cursors work; otherwise the query's own order stays and `after`/`before` are refused.
    """
    columns = select_columns(query_sql)
    explicit = tuple((k.field, k.descending) for k in params.sort)
    exprs = [output_expression(columns, name, "sort by") for name, _ in explicit]
    parsed = parse_order(default_order)
    names = explicit or (_named(columns, parsed) if columns is not None and parsed else None)
    token = params.after if params.after is not None else params.before
    if columns is None or not names or columns.get(key) is None:
        if token is not None:
            raise BadRequest(
                "This list cannot be paged by cursor: its query must select its key column, ordered by plain columns"
            )
        return QueryOrder(order=_sql(exprs, explicit) if explicit else None)
    sort = unique_order(names, key)
    exprs = [output_expression(columns, name, "sort by") for name, _ in sort]
    binding = repr((binding_prefix, sort, tuple((c.field, c.op, c.value) for c in params.conditions)))
    backward = params.before is not None
    ordered = reversed_order(sort) if backward else sort
    seek = None
    if token is not None:
        values = codec.decode(binding, token, len(sort))
        # the query's columns may come from outer joins: NULL is always possible
        keys = [SeekKey(e, desc) for e, (_, desc) in zip(exprs, ordered, strict=True)]
        sql, bound = seek_condition(keys, values)
        seek = Statement(sql, bound)
    return QueryOrder(_sql(exprs, ordered), tuple(n for n, _ in sort), binding, seek, backward)


def and_statements(first: Statement | None, second: Statement | None) -> Statement | None:
    if first is None or second is None:
        return first or second
    return Statement(f"({first.sql}) AND ({second.sql})", {**first.params, **second.params})
