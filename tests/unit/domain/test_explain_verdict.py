"""EXPLAIN's verdict: a keyset page's keys read by range in a derived table, joined back to their rows and the page
sorted, is fast; a sort of every matching row is not."""

from __future__ import annotations

import json

from domain.query.explain import read_plan


def _table(name: str, access: str, rows: int, key: str | None = None, **more: object) -> dict[str, object]:
    t: dict[str, object] = {"table_name": name, "access_type": access, "rows": rows, "filtered": 100, **more}
    if key is not None:
        t["key"] = key
    return {"table": t}


def _keyset_page(inner_access: str, inner_rows: int) -> str:
    keys = _table("tasks", inner_access, inner_rows, "ix_tasks_user", using_index=True)
    derived = _table("<derived2>", "ALL", 51, materialized={"query_block": {"select_id": 2, "nested_loop": [keys]}})
    rows = _table("tasks", "eq_ref", 1, "PRIMARY")
    block = {"select_id": 1, "filesort": {"temporary_table": {"nested_loop": [derived, rows]}}}
    return json.dumps({"query_block": block})


def test_a_keyset_page_joined_back_to_its_rows_is_fast_and_names_both_indexes() -> None:
    verdict = read_plan(_keyset_page("range", 499159), 51)
    assert verdict is not None
    assert verdict.problems == ()
    assert verdict.indexes == ("tasks.ix_tasks_user", "tasks.PRIMARY")
    assert verdict.describe() == "uses index tasks.ix_tasks_user, tasks.PRIMARY, no sort"


def test_a_derived_table_that_reads_a_whole_index_is_reported() -> None:
    verdict = read_plan(_keyset_page("index", 499159), 51)
    assert verdict is not None
    assert verdict.problems == ("reads the whole index ix_tasks_user of tasks (about 499159 rows)",)


def test_sorting_every_matching_row_is_still_a_problem() -> None:
    block = {"select_id": 1, "filesort": {"nested_loop": [_table("tasks", "ref", 20000, "ix_tasks_user")]}}
    verdict = read_plan(json.dumps({"query_block": block}), 51)
    assert verdict is not None
    assert verdict.problems == ("sorts every matching row before taking the page (filesort)",)
