"""The list grammar applied to a configured SELECT (a query-file override): filters and sort on its output columns."""

from __future__ import annotations

from typing import Any

from domain.errors import BadRequest
from domain.identifiers import is_int_text
from domain.query.listing import ListParams, null_flag, split_in, typed_value
from domain.query.sql_clauses import select_columns
from domain.query.statement import Statement
from domain.schema.model import FieldType, Table

_SQL_OPS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _value(table: Table | None, column: str, raw: str) -> Any:
    f = table.fields.get(column) if table else None
    return typed_value(f.type.value, column, raw) if f is not None and f.type is not FieldType.JSON else raw


def override_filters(
    query: str, params: ListParams, placeholders: frozenset[str] | set[str], table: Table | None
) -> tuple[dict[str, Any], Statement | None]:
    """(values for the query's own placeholders, an extra condition) for `?field=v&field[op]=v`.

    A parameter named like one of the query's placeholders binds it; any other names an output column of
    the SELECT that reads a plain column. Computed columns, unknown names and `SELECT *` are refused.
    """
    columns = select_columns(query)
    bound: dict[str, Any] = {}
    conditions: list[str] = []
    values: dict[str, Any] = {}
    for i, cond in enumerate(params.conditions):
        if cond.field in placeholders and cond.op == "eq" and cond.field not in bound:
            bound[cond.field] = _value(table, cond.field, cond.value) if table else _guess(cond.value)
            continue
        expr = output_expression(columns, cond.field, "filter on")
        name = f"_f{i}"
        if cond.op == "null":
            conditions.append(f"{expr} IS {'' if null_flag(cond) else 'NOT '}NULL")
        elif cond.op == "in":
            items = split_in(cond)
            names = [f"{name}_{j}" for j in range(len(items))]
            conditions.append(f"{expr} IN ({', '.join(':' + n for n in names)})")
            values.update({n: _value(table, cond.field, v) for n, v in zip(names, items, strict=True)})
        elif cond.op == "like":
            conditions.append(f"{expr} LIKE :{name}")
            values[name] = cond.value
        else:
            conditions.append(f"{expr} {_SQL_OPS[cond.op]} :{name}")
            values[name] = _value(table, cond.field, cond.value)
    extra = Statement(" AND ".join(conditions), values) if conditions else None
    return bound, extra


def output_expression(columns: dict[str, str | None] | None, name: str, what: str) -> str:
    if columns is None:
        raise BadRequest(f"This resource's query selects '*': name its columns to {what} them")
    if name not in columns:
        raise BadRequest(f"Unknown field '{name}' for this resource")
    expr = columns[name]
    if expr is None:
        raise BadRequest(f"Cannot {what} the computed field '{name}'")
    return expr


def _guess(raw: str) -> Any:
    return int(raw) if is_int_text(raw) else raw


def keep_fields(rows: list[dict[str, Any]], fields: tuple[str, ...] | None, extra: tuple[str, ...] = ()) -> None:
    """Keep only the requested fields (and `extra` names, e.g. included relations) in each row."""
    if fields is None:
        return
    if rows:
        missing = [f for f in fields if f not in rows[0]]
        if missing:
            raise BadRequest(f"Unknown field '{missing[0]}' for this resource")
    keep = set(fields) | set(extra)
    for r in rows:
        for k in [k for k in r if k not in keep]:
            del r[k]
