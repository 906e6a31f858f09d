"""`include` on 1,000 parent rows costs one SQL statement per level, to-one and to-many, on SQLite and MariaDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text

from adapters.config.apps import YamlAppRepository
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.database import SqlAlchemyDatabase
from application.crud.commands import ListResource
from application.crud.schema_resources import SchemaResources
from application.crypt.fields import FieldSealer
from domain.app import App
from domain.principal import Principal
from domain.query.listing import parse_list_params
from domain.query.plan import plan_includes

PARENTS = 1000
ANA = Principal(user_id=1, app="prokov", role="user")


@dataclass
class World:
    app: App
    db: SqlAlchemyDatabase
    tables: SchemaResources
    statements: list[str]

    def select(self, resource: str, sql: str) -> Any:
        return self.db.query(self.app.name, sql, {})


@pytest.fixture
async def world(platform) -> AsyncIterator[World]:
    app = YamlAppRepository(platform.paths.config, platform.paths.secrets).load(
        platform.paths.config / "apps" / "prokov", with_secrets=False
    )
    db = SqlAlchemyDatabase(platform.paths.secrets, {"prokov": app.settings.database})
    engine = await db.engine("prokov")
    async with engine.begin() as conn:
        # ana: 1,000 projects "P0000".., each with two tasks; ben: one task pointing at each of ana's projects
        await conn.execute(
            text("INSERT INTO projects (id, user_id, name, position) VALUES (:id, 1, :name, 0)"),
            [{"id": 1000 + i, "name": f"P{i:04}"} for i in range(PARENTS)],
        )
        await conn.execute(
            text("INSERT INTO tasks (user_id, project_id, title, done, position) VALUES (:u, :p, :t, 0, 0)"),
            [{"u": 1, "p": 1000 + i, "t": f"T{i:04}-{k}"} for i in range(PARENTS) for k in (1, 2)]
            + [{"u": 2, "p": 1000 + i, "t": f"ben-{i:04}"} for i in range(PARENTS)],
        )
    counting = CountingDatabase(db)
    try:
        yield World(app, db, SchemaResources(counting, CoreTableSql(), FieldSealer()), counting.statements)
    finally:
        await db.close()


class CountingDatabase:
    """The real Database port, noting every statement sent through it (reads bypass SQLAlchemy's events)."""

    def __init__(self, inner: SqlAlchemyDatabase) -> None:
        self._inner = inner
        self.statements: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if name not in ("query", "query_one", "insert", "update", "delete"):
            return method

        async def counted(app_id: str, sql: str, args: dict[str, Any]) -> Any:
            self.statements.append(sql)
            return await method(app_id, sql, args)

        return counted


def table(world: World, name: str) -> Any:
    assert world.app.schema is not None
    return world.app.schema.tables[name]


async def include(world: World, resource: str, names: str, rows: list[dict[str, Any]]) -> int:
    """Run the include of `names` on `rows`; the number of SQL statements it took."""
    assert world.app.schema is not None
    nodes = plan_includes(world.app.schema, table(world, resource), tuple(names.split(",")))
    world.statements.clear()
    await world.tables.include(world.app, ANA, rows, nodes)
    return len(world.statements)


async def test_to_many_on_1000_projects_is_one_statement(world):
    projects = await world.select("projects", "SELECT id, name FROM projects WHERE id >= 1000 ORDER BY id")
    assert len(projects) == PARENTS
    assert await include(world, "projects", "tasks", projects) == 1
    for p in projects:
        titles = sorted(t["title"] for t in p["tasks"])
        assert titles == [f"{p['name'].replace('P', 'T')}-1", f"{p['name'].replace('P', 'T')}-2"]


async def test_to_one_on_1000_tasks_is_one_statement(world):
    tasks = await world.select(
        "tasks", "SELECT id, project_id, title FROM tasks WHERE user_id = 1 AND project_id >= 1000"
    )
    tasks = tasks[:PARENTS]
    assert len(tasks) == PARENTS
    assert await include(world, "tasks", "project", tasks) == 1
    for t in tasks:
        assert t["project"]["id"] == t["project_id"]
        assert t["title"].startswith(t["project"]["name"].replace("P", "T"))


async def test_two_levels_are_two_statements(world):
    tasks = await world.select(
        "tasks", "SELECT id, project_id, title FROM tasks WHERE user_id = 1 AND project_id >= 1000"
    )
    assert len(tasks) == 2 * PARENTS
    assert await include(world, "tasks", "project.tasks", tasks) == 2
    assert await include(world, "tasks", "project.tasks,status", tasks) == 2  # no status set: no query for it
    assert all(len(t["project"]["tasks"]) == 2 for t in tasks)


async def test_a_list_page_with_includes_is_one_statement_per_level(world):
    async def page(query: str) -> Any:
        world.statements.clear()
        params = parse_list_params([tuple(kv.split("=", 1)) for kv in query.split("&")])  # type: ignore[misc]
        result = await world.tables.page(
            world.app, world.app.schema, table(world, "projects"), ListResource(world.app, ANA, "projects", params)
        )
        return result, len(world.statements)

    result, count = await page("limit=500&offset=500&include=tasks&name[like]=P%")
    assert count == 2  # the page (with one row more: has_more) and one for the tasks; no count unless asked
    assert result.total is None and not result.has_more and len(result.rows) == 500
    assert all(len(r["tasks"]) == 2 for r in result.rows)
    # the include keeps the owner filter: ben's task on each of ana's projects never shows
    assert not any(t["title"].startswith("ben") for r in result.rows for t in r["tasks"])

    result, count = await page("limit=500&include=tasks.project,tasks.status&name[like]=P%")
    assert count == 3
