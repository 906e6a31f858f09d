"""Paging a query-file list: has_more from one row more, cursors in both directions, totals only when asked."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from application.crud.counting import EXACT_BELOW, list_total
from domain.app import App, AppSettings, DatabaseSettings
from domain.errors import BadRequest
from domain.query.listing import ListParams
from domain.query.statement import Row, Statement
from tests.fakes.database import FakeDatabase

from .conftest import ANA, ROOT, CrudWorld


async def names(crud: CrudWorld, **params: Any) -> tuple[list[str], Any]:
    page = await crud.resources.page(crud.list_cmd(ROOT, **params))
    return [r["name"] for r in page.rows], page


async def test_cursors_walk_a_query_file_list_forward_and_back(crud: CrudWorld) -> None:
    first, page = await names(crud, limit=2)
    assert first == ["Website", "Garden"] and page.has_more and page.prev is None
    second, page2 = await names(crud, limit=2, after=page.next)
    assert second == ["Roof"] and not page2.has_more and page2.next is None
    back, page3 = await names(crud, limit=2, before=page2.prev)
    assert back == ["Website", "Garden"] and page3.prev is None and page3.next is not None


async def test_a_sorted_query_file_list_is_made_total_by_its_key(crud: CrudWorld) -> None:
    crud.db.run("shop", "UPDATE projects SET position = 1")  # every row ties on the sort key
    seen: list[str] = []
    after = None
    while True:
        page = await crud.resources.page(crud.list_cmd(ROOT, limit=1, sort=_sort("-position"), after=after))
        seen += [r["name"] for r in page.rows]
        if page.next is None:
            break
        after = page.next
    assert seen == ["Garden", "Website", "Roof"]  # position DESC, then id DESC


async def test_a_cursor_of_another_sort_is_refused(crud: CrudWorld) -> None:
    _, page = await names(crud, limit=1)
    with pytest.raises(BadRequest, match="Invalid cursor"):
        await crud.resources.page(crud.list_cmd(ROOT, limit=1, sort=_sort("name"), after=page.next))


async def test_a_cursor_does_not_cross_the_owner_filter(crud: CrudWorld) -> None:
    _, page = await names(crud, limit=1)
    ana = await crud.resources.page(crud.list_cmd(ANA, limit=5, after=page.next))
    assert {r["user_id"] for r in ana.rows} == {1}


async def test_a_count_is_a_separate_statement_only_when_the_page_does_not_show_everything(crud: CrudWorld) -> None:
    crud.db.statements.clear()
    _, page = await names(crud, limit=10, count="exact")
    assert (page.total, page.counted, len(crud.db.statements)) == (3, "exact", 1)
    crud.db.statements.clear()
    _, page = await names(crud, limit=1, count="exact")
    assert (page.total, len(crud.db.statements)) == (3, 2)
    assert "COUNT(*)" in crud.db.statements[1][1]


def _sort(text: str) -> tuple:
    from domain.query.listing import SortKey

    return tuple(SortKey(k.lstrip("-"), k.startswith("-")) for k in text.split(","))


class ExplainingDatabase(FakeDatabase):
    """Answers MariaDB's EXPLAIN FORMAT=JSON with a planner estimate, as a MariaDB would."""

    def __init__(self, estimate: int) -> None:
        super().__init__()
        self.estimate = estimate

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        if query.startswith("EXPLAIN FORMAT=JSON "):
            self.statements.append((app_id, query, dict(args)))
            table = {"table_name": "t", "access_type": "ref", "key": "ix", "rows": self.estimate, "filtered": 50}
            return [{"EXPLAIN": json.dumps({"query_block": {"select_id": 1, "nested_loop": [{"table": table}]}})}]
        return await super().query(app_id, query, args)


def _app(url: str) -> App:
    settings = AppSettings(app="shop", hosts=("shop.test",), database=DatabaseSettings(url=url))
    return App(settings=settings, resources={}, auth=None, jwt_secret=b"k" * 32)


COUNT = Statement("SELECT COUNT(*) AS total FROM (SELECT 1) AS c", {})


async def test_estimated_reads_the_planner_on_mariadb_and_counts_when_small() -> None:
    mariadb = _app("mysql+asyncmy://u@h/db")
    big = ExplainingDatabase(estimate=EXACT_BELOW * 10)
    params = ListParams(count="estimated", offset=50)
    assert await list_total(big, mariadb, params, 50, True, lambda: COUNT) == (EXACT_BELOW * 5, "estimated")
    assert [s[1][:7] for s in big.statements] == ["EXPLAIN"]
    small = ExplainingDatabase(estimate=10)
    assert await list_total(small, mariadb, params, 50, True, lambda: COUNT) == (1, "exact")


async def test_estimated_on_sqlite_is_the_exact_count() -> None:
    db = ExplainingDatabase(estimate=10**6)
    total = await list_total(db, _app("sqlite+aiosqlite://"), ListParams(count="estimated"), 50, True, lambda: COUNT)
    assert total == (1, "exact") and not any(s[1].startswith("EXPLAIN") for s in db.statements)


async def test_no_count_runs_no_statement() -> None:
    db = ExplainingDatabase(estimate=1)
    assert await list_total(
        db, _app("sqlite+aiosqlite://"), replace(ListParams(), offset=9), 0, True, lambda: COUNT
    ) == (
        None,
        None,
    )
    assert db.statements == []
