"""Keyset paging: an order read as sort keys, and the condition "strictly after this row in that order".

NULLs sort first in ascending order and last in descending order on both MariaDB and SQLite, and the
condition follows that rule, so a page boundary on a NULL value neither skips nor repeats rows.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_ORDER_ITEM = re.compile(
    r"^\s*((?:[A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*)(?:\s+(ASC|DESC))?\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class SeekKey:
    """One sort key as SQL: an expression (a quoted column), its direction, and whether it can hold NULL."""

    expr: str
    descending: bool
    nullable: bool = True


def parse_order(order: str) -> tuple[tuple[str, bool], ...] | None:
    """`position ASC, t.id DESC` as ((name, descending), ...); None when a part is an expression."""
    if not order.strip():
        return ()
    keys: list[tuple[str, bool]] = []
    for part in order.split(","):
        m = _ORDER_ITEM.match(part)
        if m is None:
            return None
        keys.append((m.group(1), (m.group(2) or "").upper() == "DESC"))
    return tuple(keys)


def unique_order(sort: Sequence[tuple[str, bool]], key: str) -> tuple[tuple[str, bool], ...]:
    """The sort made total by the primary key, which follows the last key's direction (one index scan serves it)."""
    if any(name == key for name, _ in sort):
        return tuple(sort)
    last = sort[-1][1] if sort else False
    return (*sort, (key, last))


def reversed_order(sort: Sequence[tuple[str, bool]]) -> tuple[tuple[str, bool], ...]:
    return tuple((name, not desc) for name, desc in sort)


def _after(k: SeekKey, param: str, value: Any) -> str | None:
    """Rows strictly after `value` on this key alone (None: no row can be)."""
    if value is None:
        return None if k.descending else f"{k.expr} IS NOT NULL"
    if k.descending:
        return f"({k.expr} < :{param} OR {k.expr} IS NULL)" if k.nullable else f"{k.expr} < :{param}"
    return f"{k.expr} > :{param}"


def _equal(k: SeekKey, param: str, value: Any) -> str:
    return f"{k.expr} IS NULL" if value is None else f"{k.expr} = :{param}"


def _from(k: SeekKey, param: str, value: Any) -> str | None:
    """Rows at or after `value` on the first key: the range an index seeks to (None: every row)."""
    if value is None:
        return f"{k.expr} IS NULL" if k.descending else None
    if k.descending:
        return f"({k.expr} <= :{param} OR {k.expr} IS NULL)" if k.nullable else f"{k.expr} <= :{param}"
    return f"{k.expr} >= :{param}"


def seek_condition(keys: Sequence[SeekKey], values: Sequence[Any], prefix: str = "_k") -> tuple[str, dict[str, Any]]:
    """`(a, b, id) > (va, vb, vid)` in the keys' own directions, as SQL with `:prefixN` parameters.

    Written as `a >= va AND (a > va OR (a = va AND (...)))`: the leading range lets the database seek in an
    index on (scope, a, b, id) instead of scanning, the rest settles ties exactly.
    """
    params = {f"{prefix}{i}": v for i, v in enumerate(values) if v is not None}
    branches: list[str] = []
    for i, (k, v) in enumerate(zip(keys, values, strict=True)):
        after = _after(k, f"{prefix}{i}", v)
        if after is None:
            continue
        equal = [_equal(keys[j], f"{prefix}{j}", values[j]) for j in range(i)]
        branches.append(" AND ".join([*equal, after]) if equal else after)
    if not branches:
        return "1 = 0", {}
    ors = " OR ".join(f"({b})" for b in branches) if len(branches) > 1 else branches[0]
    lead = _from(keys[0], f"{prefix}0", values[0])
    return (f"{lead} AND ({ors})" if lead is not None and len(branches) > 1 else f"({ors})"), params
