"""A cursor page deep in an owner-scoped list reads MariaDB's (owner, sort key, id) index from the cursor on (a range),
not every entry of the owner before it (issue 14: 22x the 200-row figure at 1,000,000 rows before)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.config.apps import YamlAppRepository
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.database import SqlAlchemyDatabase
from domain.principal import Principal
from domain.query.explain import explain_text, read_plan
from domain.query.plan import SelectPlan, table_scope
from domain.schema.model import Table

ROWS = 30000
ANA = Principal(user_id=1, app="prokov", role="user")


def _tables(node: Any) -> list[dict[str, Any]]:
    """Every table access of an EXPLAIN FORMAT=JSON document, derived tables' included."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if isinstance(node.get("table"), dict):
            found.append(node["table"])
        for value in node.values():
            found += _tables(value)
    elif isinstance(node, list):
        for item in node:
            found += _tables(item)
    return found


async def _filled(platform: Any) -> tuple[Table, SqlAlchemyDatabase]:
    """prokov's tasks on MariaDB, ana owning ROWS of them in scattered positions, statistics up to date."""
    app = YamlAppRepository(platform.paths.config, platform.paths.secrets).load(
        platform.paths.config / "apps" / "prokov", with_secrets=False
    )
    assert app.schema is not None
    db = SqlAlchemyDatabase(platform.paths.secrets, {"prokov": app.settings.database})
    await db.execute_script(
        "prokov",
        [
            "INSERT INTO tasks (user_id, title, done, position) "
            f"SELECT 1, CONCAT('T', seq), 0, MOD(seq * 7919, 100003) FROM seq_1_to_{ROWS}",
            "ANALYZE TABLE tasks",
        ],
    )
    return app.schema.tables["tasks"], db


@pytest.mark.parametrize("backend", [pytest.param("mariadb", marks=pytest.mark.mariadb)])
async def test_a_sorted_list_reads_the_owner_sort_index_in_order(platform: Any) -> None:
    """`sort=-position` for one owner: its (user_id, position) index read backwards, cut by the page, no sort."""
    tasks, db = await _filled(platform)
    try:
        plan = SelectPlan(
            table="tasks",
            columns=tasks.visible_fields(),
            scope=table_scope(tasks, ANA),
            sort=(("position", True), ("id", True)),
            limit=51,
            key_column="id",
        )
        stmt = CoreTableSql().select("mysql", tasks, plan)
        raw = explain_text(await db.query("prokov", f"EXPLAIN FORMAT=JSON {stmt.sql}", stmt.params))
        verdict = read_plan(raw, 51)
        assert verdict is not None and verdict.fast, verdict
        (read,) = [t for t in _tables(json.loads(raw)) if t.get("table_name") == "tasks"]
        assert read["used_key_parts"][:1] == ["user_id"], read
        assert "position" in _index_columns(await db.query("prokov", "SHOW INDEX FROM tasks", {}), read["key"])
        assert "filesort" not in raw, raw
    finally:
        await db.close()


def _index_columns(rows: list[dict[str, Any]], name: str) -> list[str]:
    ordered = sorted((r for r in rows if r["Key_name"] == name), key=lambda r: r["Seq_in_index"])
    return [r["Column_name"] for r in ordered][:2]


@pytest.mark.parametrize("backend", [pytest.param("mariadb", marks=pytest.mark.mariadb)])
@pytest.mark.parametrize("descending", [False, True])
async def test_a_deep_cursor_page_seeks_in_the_owner_sort_index(platform: Any, descending: bool) -> None:
    tasks, db = await _filled(platform)
    try:
        order = "DESC" if descending else "ASC"
        middle = await db.query(
            "prokov",
            f"SELECT position, id FROM tasks WHERE user_id = 1 ORDER BY position {order}, id {order} "
            f"LIMIT 1 OFFSET {ROWS // 2}",
            {},
        )
        plan = SelectPlan(
            table="tasks",
            columns=tasks.visible_fields(),
            scope=table_scope(tasks, ANA),
            sort=(("position", descending), ("id", descending)),
            limit=51,
            seek=(middle[0]["position"], middle[0]["id"]),
            key_column="id",
        )
        stmt = CoreTableSql().select("mysql", tasks, plan)
        rows = await db.query("prokov", f"EXPLAIN FORMAT=JSON {stmt.sql}", stmt.params)
        raw = explain_text(rows)

        verdict = read_plan(raw, 51)
        assert verdict is not None and verdict.fast, verdict
        reads = [t for t in _tables(json.loads(raw)) if t.get("table_name") == "tasks"]
        seek = next(t for t in reads if t.get("used_key_parts", [])[:1] == ["user_id"])
        # the keys: a range from the cursor on the index leading with (user_id, position), read from the index alone
        # (before: `ref` on user_id, every entry of ana's before the cursor skipped one by one)
        assert seek["access_type"] == "range", seek
        assert seek["used_key_parts"][:2] == ["user_id", "position"], seek
        assert seek.get("using_index") is True, seek
        # then the page's rows by primary key
        assert [(t["access_type"], t["key"]) for t in reads if t is not seek] == [("eq_ref", "PRIMARY")], reads

        page = await db.query("prokov", stmt.sql, stmt.params)
        expected = await db.query(
            "prokov",
            f"SELECT id FROM tasks WHERE user_id = 1 ORDER BY position {order}, id {order} "
            f"LIMIT 51 OFFSET {ROWS // 2 + 1}",
            {},
        )
        assert [r["id"] for r in page] == [r["id"] for r in expected]
    finally:
        await db.close()
