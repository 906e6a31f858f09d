"""App detail (tables, routes, dictionary, sync indicator) and the database scan, on SQLite and MariaDB."""

from __future__ import annotations

import pytest

from application.admin.create_app import NewApp
from application.admin.ports import DbTarget
from domain.errors import Forbidden, NotFound

from .conftest import ANN, BOSS


async def add_column(admin) -> None:
    """Change the live database behind schema.yaml's back (the admin's pool knows prokov once it has shown it)."""
    await admin.apps.detail(BOSS, "prokov")
    await admin.database.execute_script("prokov", ["ALTER TABLE tasks ADD COLUMN extra_note VARCHAR(50)"])


async def test_overview_lists_only_the_apps_an_operator_may_see(admin) -> None:
    assert [a.name for a in await admin.apps.overview(BOSS)] == ["koprogo", "prokov"]
    summary = await admin.apps.overview(ANN)
    assert [a.name for a in summary] == ["prokov"]
    assert summary[0].hosts and summary[0].base_path == "/api"


async def test_detail_shows_tables_routes_dictionary_and_a_schema_in_sync(admin) -> None:
    d = await admin.apps.detail(BOSS, "prokov")
    assert d.schema_source == "schema.yaml"
    assert "tasks" in d.schema.tables and "title" in d.schema.tables["tasks"].fields
    assert ("GET", "/tasks") in {(r.method, r.path) for r in d.routes}
    assert "tasks" in d.dictionary["tables"]
    assert d.sync.checked and d.sync.in_sync, d.sync.changes
    assert d.index_warnings == []


async def test_detail_warns_about_a_list_no_index_serves(admin) -> None:
    await admin.apps.detail(BOSS, "prokov")
    await admin.database.execute_script(
        "prokov", ["DROP INDEX ix_tags_position_id" + (" ON tags" if admin.platform.backend == "mariadb" else "")]
    )
    d = await admin.apps.detail(BOSS, "prokov")
    assert d.sync.changes == ["add index tags (position, id): list as role admin"]
    [warning] = d.index_warnings
    assert warning.startswith("tags: list as role admin: no index on (position, id)")
    assert "runs: SELECT" in warning and "CREATE INDEX ix_tags_position_id ON tags (position, id)" in warning
    assert ("EXPLAIN: " in warning) == (admin.platform.backend == "mariadb")


async def test_a_column_added_to_the_database_shows_the_schema_out_of_sync(admin) -> None:
    await add_column(admin)
    d = await admin.apps.detail(BOSS, "prokov")
    assert d.sync.checked and not d.sync.in_sync
    assert any("extra_note" in c for c in d.sync.changes)


async def test_scan_regenerates_schema_yaml_keeping_annotations_and_reloads_the_gateway(admin) -> None:
    path = admin.platform.paths.config / "apps" / "prokov" / "schema.yaml"
    await add_column(admin)
    result = await admin.apps.scan(BOSS, "prokov")
    assert "tasks" in result.tables and result.warnings == []
    text = path.read_text()
    assert "extra_note" in text and "filter: owner" in text
    assert admin.control.reloaded == ["sogoway"]
    d = await admin.apps.detail(BOSS, "prokov")
    assert d.sync.in_sync, d.sync.changes
    assert admin.logs.audit("admin.scan_database")[-1][2]["outcome"] == "ok"


async def test_scan_of_a_new_app_writes_its_first_schema(admin) -> None:
    data = admin.platform.paths.data
    import sqlite3

    with sqlite3.connect(data / "fresh.db") as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER, body TEXT)")
    await admin.create(BOSS, NewApp("fresh", ("fresh.localhost",), DbTarget(kind="sqlite", sqlite_file="fresh.db")))
    before = await admin.apps.detail(BOSS, "fresh")
    assert before.schema_source == "database" and not before.sync.in_sync
    assert "no schema.yaml" in before.sync.error
    await admin.apps.scan(BOSS, "fresh")
    after = await admin.apps.detail(BOSS, "fresh")
    # the table matches; what differs is the index its owner's list needs, which `migrate` would create
    assert after.schema_source == "schema.yaml" and after.sync.changes == ["add index notes (user_id, id): list"]
    assert ("GET", "/notes") in {(r.method, r.path) for r in after.routes}


async def test_an_app_admin_is_refused_another_app_and_the_scan_without_permission(admin) -> None:
    with pytest.raises(Forbidden):
        await admin.apps.detail(ANN, "koprogo")
    with pytest.raises(Forbidden):
        await admin.apps.scan(ANN, "prokov")
    d = await admin.apps.detail(ANN, "prokov")  # schema:read without db:introspect: no live check
    assert not d.sync.checked and "db:introspect" in d.sync.error
    assert [e[2]["outcome"] for e in admin.logs.audit("admin.view_app")] == ["forbidden"]


async def test_unknown_app_is_not_found(admin) -> None:
    with pytest.raises(NotFound):
        await admin.apps.detail(BOSS, "nope")
