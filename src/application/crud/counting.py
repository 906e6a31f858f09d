"""`meta.total` when a list asks for it: free when the page shows the whole list, else counted or estimated."""

from __future__ import annotations

from collections.abc import Callable

from application.ports.database import Database
from domain.app import App
from domain.query.explain import explain_text, read_plan
from domain.query.listing import ListParams
from domain.query.statement import Statement

# below this many rows an estimate is replaced by the exact count, which is as cheap and exact
EXACT_BELOW = 1000


async def list_total(
    db: Database, app: App, params: ListParams, shown: int, more: bool, count: Callable[[], Statement]
) -> tuple[int | None, str | None]:
    """(total, "exact" | "estimated"), or (None, None) with `count=none`.

    `estimated` reads MariaDB's planner estimate (EXPLAIN: index statistics, no rows read) and counts exactly
    when that estimate is small; SQLite keeps no statistics that would be honest for a filtered list, so there
    it is the exact count.
    """
    if params.count == "none":
        return None, None
    from_start = params.after is None and params.before is None
    if from_start and not more and (shown or params.offset == 0):
        return params.offset + shown, "exact"  # this page reaches the end of the list: no statement needed
    stmt = count()
    if params.count == "estimated" and app.settings.database.dialect == "mysql":
        verdict = read_plan(explain_text(await db.query(app.name, f"EXPLAIN FORMAT=JSON {stmt.sql}", stmt.params)))
        if verdict is not None and verdict.estimated_rows is not None and verdict.estimated_rows >= EXACT_BELOW:
            return verdict.estimated_rows, "estimated"
    found = await db.query_one(app.name, stmt.sql, stmt.params)
    return int((found or {}).get("total") or 0), "exact"
