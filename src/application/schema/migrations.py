"""Apply an app's `migrations/*.sql` once each, in name order, recording them in `sogoms_migrations`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from application.ports.clock import Clock
from application.ports.database import Database
from domain.query.sql_text import split_statements


@dataclass(frozen=True, slots=True)
class MigrationFile:
    name: str
    sql: str


class MigrationSource(Protocol):
    def pending_candidates(self, app: str, dialect: str) -> list[MigrationFile]:
        """Every migration for this dialect (`x.sql`, `x.sqlite.sql`, `x.mysql.sql`), sorted by name."""
        ...


class ScriptRunner(Protocol):
    async def execute_script(self, app_id: str, statements: list[str]) -> None: ...


class ApplyMigrations:
    def __init__(self, source: MigrationSource, database: Database, runner: ScriptRunner, clock: Clock) -> None:
        self._source, self._db, self._runner, self._clock = source, database, runner, clock

    async def pending(self, app: str, dialect: str) -> list[MigrationFile]:
        done = {str(r["name"]) for r in await self._db.query(app, "SELECT name FROM sogoms_migrations", {})}
        return [m for m in self._source.pending_candidates(app, dialect) if m.name not in done]

    async def __call__(self, app: str, dialect: str, apply: bool) -> list[MigrationFile]:
        """The pending migrations; with `apply` they are run, each recorded once it succeeded."""
        todo = await self.pending(app, dialect)
        if not apply:
            return todo
        for m in todo:
            await self._runner.execute_script(app, split_statements(m.sql))
            await self._db.insert(
                app,
                "INSERT INTO sogoms_migrations (name, applied_at) VALUES (:name, :at)",
                {"name": m.name, "at": int(self._clock.now())},
            )
        return todo
