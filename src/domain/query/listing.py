"""The list grammar: `?limit&offset&after&before&count&sort=-a,b&fields=a,b&include=r&field=v&field[op]=v`, parsed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domain.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "like", "in", "null")
COUNT_MODES = ("none", "exact", "estimated")
RESERVED = ("limit", "offset", "after", "before", "count", "sort", "fields", "include")
MAX_CURSOR = 2048
_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[([a-z]+)\])?$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True, slots=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: str


@dataclass(frozen=True, slots=True)
class ListParams:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    sort: tuple[SortKey, ...] = ()
    conditions: tuple[Condition, ...] = ()
    fields: tuple[str, ...] | None = None
    include: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    count: str = "none"  # none | exact | estimated: whether (and how) `meta.total` is computed
    after: str | None = None  # an opaque cursor (meta.next): the rows after it
    before: str | None = None  # an opaque cursor (meta.prev): the rows before it


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}")
    return value


def _names(param: str, raw: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in raw.split(",") if part.strip())
    if not names:
        raise BadRequest(f"'{param}' needs at least one name")
    for n in names:
        if not _NAME.match(n.lstrip("-")):
            raise BadRequest(f"'{param}' has an invalid name {n!r}")
    return names


def parse_list_params(items: list[tuple[str, str]]) -> ListParams:
    """Parse the query string; only syntax here, names are checked against the table later."""
    limit, offset = DEFAULT_LIMIT, 0
    sort: list[SortKey] = []
    conditions: list[Condition] = []
    fields: tuple[str, ...] | None = None
    include: tuple[str, ...] = ()
    count = "none"
    cursors: dict[str, str] = {}
    seen: set[str] = set()
    for key, raw in items:
        if key in RESERVED:
            if key in seen:
                raise BadRequest(f"'{key}' is given more than once")
            seen.add(key)
        if key == "limit":
            limit = _int("limit", raw, 1, MAX_LIMIT)
        elif key == "offset":
            offset = _int("offset", raw, 0, 10**9)
        elif key == "count":
            if raw not in COUNT_MODES:
                raise BadRequest(
                    f"'count' must be one of {', '.join(COUNT_MODES)} (to filter a field named count, use count[eq]=)"
                )
            count = raw
        elif key in ("after", "before"):
            if not raw or len(raw) > MAX_CURSOR:
                raise BadRequest(f"'{key}' must be a cursor from meta.next or meta.prev")
            cursors[key] = raw
        elif key == "sort":
            for name in _names("sort", raw):
                sort.append(SortKey(name.lstrip("-"), name.startswith("-")))
        elif key == "fields":
            fields = _names("fields", raw)
        elif key == "include":
            include = _names("include", raw)
        else:
            m = _KEY.match(key)
            if not m:
                raise BadRequest(f"Invalid query parameter {key!r}")
            op = m.group(2) or "eq"
            if op not in OPERATORS:
                raise BadRequest(f"Unknown operator '{op}' (use one of {', '.join(OPERATORS)})")
            conditions.append(Condition(m.group(1), op, raw))
    if len(cursors) == 2:
        raise BadRequest("'after' and 'before' cannot be given together")
    if cursors and offset:
        raise BadRequest("'offset' cannot be combined with 'after' or 'before' (a cursor already says where to start)")
    return ListParams(
        limit,
        offset,
        tuple(sort),
        tuple(conditions),
        fields,
        include,
        count=count,
        after=cursors.get("after"),
        before=cursors.get("before"),
    )


def null_flag(cond: Condition) -> bool:
    v = cond.value.strip().lower()
    if v in ("true", "1", "yes", ""):
        return True
    if v in ("false", "0", "no"):
        return False
    raise BadRequest(f"'{cond.field}[null]' must be true or false")


def split_in(cond: Condition) -> list[str]:
    values = [v for v in cond.value.split(",")]
    if not cond.value or len(values) > 100:
        raise BadRequest(f"'{cond.field}[in]' takes 1 to 100 comma-separated values")
    return values


def typed_value(field_type: str, name: str, raw: str) -> Any:
    """A query-string value as the column's type ('3' -> 3 for int), or BadRequest."""
    try:
        if field_type == "int":
            return int(raw)
        if field_type == "float":
            return float(raw)
        if field_type == "bool":
            low = raw.strip().lower()
            if low in ("true", "1"):
                return True
            if low in ("false", "0"):
                return False
            raise ValueError
    except ValueError:
        raise BadRequest(f"'{name}' must be a {field_type}") from None
    return raw
