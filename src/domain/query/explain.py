"""MariaDB's `EXPLAIN FORMAT=JSON` read: the planner's row estimate, and whether a statement scans or sorts everything."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

_INNER = ("subqueries", "materialized", "expression_cache")


@dataclass(frozen=True, slots=True)
class PlanVerdict:
    """What the planner would do: `problems` empty means the statement reads an index range and sorts nothing."""

    estimated_rows: int | None
    tables: tuple[str, ...] = ()
    indexes: tuple[str, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def fast(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        if self.problems:
            return "; ".join(self.problems)
        used = ", ".join(self.indexes) if self.indexes else "the primary key"
        return f"uses index {used}, no sort"


def _tables(node: Any, out: list[dict[str, Any]], flags: set[str]) -> None:
    """Tables of the top-level join (not of sub-queries), and the sorts/temporary tables around them."""
    if isinstance(node, list):
        for item in node:
            _tables(item, out, flags)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _INNER:
            continue
        if key == "table" and isinstance(value, dict):
            out.append(value)
            continue
        if key == "filesort" or key == "read_sorted_file":
            flags.add("filesort")
        if key == "temporary_table":
            flags.add("temporary")
        _tables(value, out, flags)


def read_plan(raw: str, page: int = 0) -> PlanVerdict | None:
    """The verdict on one EXPLAIN FORMAT=JSON document; None when it cannot be read. A scan the planner expects
    to stop within `page` rows (an index read in order, cut by LIMIT) is not a problem, nor is sorting rows the
    planner expects to be no more than the page (a keyset page's keys joined back to their rows)."""
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    block = doc.get("query_block") if isinstance(doc, dict) else None
    if not isinstance(block, dict):
        return None
    return _verdict(block, page)


def _verdict(block: dict[str, Any], page: int) -> PlanVerdict:
    tables: list[dict[str, Any]] = []
    flags: set[str] = set()
    _tables(block, tables, flags)
    if not tables:
        return PlanVerdict(estimated_rows=None)
    estimate = 1.0
    problems: list[str] = []
    indexes: list[str] = []
    names: list[str] = []
    for t in tables:
        rows = t.get("rows")
        filtered = t.get("filtered", 100)
        if isinstance(rows, int | float) and isinstance(filtered, int | float):
            estimate *= max(rows, 0) * max(min(filtered, 100), 0) / 100
        name = str(t.get("table_name", "?"))
        derived = t.get("materialized", {}).get("query_block") if name.startswith("<derived") else None
        if isinstance(derived, dict):  # a derived table (FROM (SELECT ...)): what reading it costs is its own plan
            inner = _verdict(derived, page)
            problems += inner.problems
            indexes += inner.indexes
            names += inner.tables
            continue
        names.append(name)
        access = t.get("access_type")
        big = not isinstance(rows, int | float) or rows > page
        if access == "ALL" and big:
            problems.append(f"reads every row of {name} (full table scan, about {rows} rows)")
        elif access == "index" and big:
            problems.append(f"reads the whole index {t.get('key', '?')} of {name} (about {rows} rows)")
        if "key" in t:
            indexes.append(f"{name}.{t['key']}")
    sorts_the_page = page > 0 and estimate <= page
    if "filesort" in flags and not sorts_the_page:
        problems.append("sorts every matching row before taking the page (filesort)")
    if "temporary" in flags and not sorts_the_page:
        problems.append("builds a temporary table")
    return PlanVerdict(
        estimated_rows=round(estimate),
        tables=tuple(names),
        indexes=tuple(indexes),
        problems=tuple(problems),
    )


def explain_text(rows: list[dict[str, Any]]) -> str:
    """The JSON document of an `EXPLAIN FORMAT=JSON` answer (one row, one column)."""
    if not rows:
        return ""
    value = next(iter(rows[0].values()), "")
    return value.decode() if isinstance(value, bytes) else str(value)
