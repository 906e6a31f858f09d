"""`sogoms schema validate` against the live database: each list, sort and include path of schema.yaml that no
index serves, with the statement the gateway would run and, on MariaDB, what EXPLAIN says the planner does."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.database import Database
from application.ports.sql import TableSql
from domain.app import App
from domain.errors import DomainError
from domain.query.explain import explain_text, read_plan
from domain.query.plan import Scope, SelectPlan
from domain.query.sql_text import placeholders
from domain.schema.indexes import ListPath, covers, existing_keys, include_paths, index_name, list_paths, role_scopes
from domain.schema.model import Schema, Table

PAGE = 51  # a page of 50 and the row that says whether there is a next one


@dataclass(frozen=True, slots=True)
class IndexWarning:
    table: str
    what: str
    problem: str
    statement: str
    fix: str = ""
    explain: str = ""

    def describe(self) -> str:
        lines = [f"{self.table}: {self.what}: {self.problem}", f"  runs: {self.statement}"]
        if self.explain:
            lines.append(f"  EXPLAIN: {self.explain}")
        if self.fix:
            lines.append(f"  fix: {self.fix}")
        return "\n".join(lines)


def _scope(table: Table, role: str | None) -> Scope | None:
    condition = role_scopes(table).get(role or "default", "")
    if not condition.strip():
        return None
    return Scope(condition, dict.fromkeys(placeholders(condition), 1))


class IndexAdvice:
    def __init__(self, database: Database, sql: TableSql) -> None:
        self._db, self._sql = database, sql

    async def warnings(self, app: App, live: Schema | None = None) -> list[IndexWarning]:
        """Every path of the app's schema.yaml without an index (none when it has no schema.yaml)."""
        declared = app.schema
        if declared is None:
            return []
        if live is None:
            live = await self._db.introspect(app.name)
        out: list[IndexWarning] = []
        for table in declared.tables.values():
            current = live.tables.get(table.name)
            paths = list_paths(table) + [
                p for p in include_paths(table) if {"list", "show"} & set(table.crud) and p.scope
            ]
            for path in paths:
                if current is None:
                    continue
                have = [*current.indexes, *existing_keys(current)]
                if path.columns is not None and any(covers(h, path.columns, table) for h in have):
                    continue
                out.append(await self._warning(app, table, path))
        return out

    async def _warning(self, app: App, table: Table, path: ListPath) -> IndexWarning:
        dialect = app.settings.database.dialect
        if path.what.startswith("include"):
            assert path.scope is not None
            plan = SelectPlan(
                table=table.name,
                columns=table.visible_fields(),
                scope=_scope(table, "default"),
                sort=path.sort,
                parent_in=(path.scope[0], (1, 2)),
            )
        else:
            plan = SelectPlan(
                table=table.name,
                columns=table.visible_fields(),
                scope=_scope(table, path.role),
                sort=path.sort,
                limit=PAGE,
            )
        stmt = self._sql.select(dialect, table, plan)
        if path.columns is None:
            problem, fix = f"no index can serve it ({path.why_not})", "make the filter or order plain columns"
        else:
            cols = ", ".join(path.columns)
            problem = f"no index on ({cols}): the database reads and sorts every matching row for each page"
            fix = (
                f"`sogoms schema migrate {app.name} --apply` creates it "
                f"(CREATE INDEX {index_name(table.name, path.columns)} ON {table.name} ({cols}))"
            )
        explain = ""
        if dialect == "mysql":
            try:
                rows = await self._db.query(app.name, f"EXPLAIN FORMAT=JSON {stmt.sql}", stmt.params)
            except DomainError as exc:
                explain = f"could not run EXPLAIN ({exc.message})"
            else:
                verdict = read_plan(explain_text(rows), PAGE)
                if verdict is None:
                    explain = "no plan returned"
                elif not verdict.tables:
                    explain = "the planner read no table (empty or nearly empty): EXPLAIN it again on real data"
                else:
                    explain = verdict.describe()
        return IndexWarning(table.name, path.what, problem, stmt.sql, fix, explain)
