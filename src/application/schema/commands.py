"""`sogoms schema introspect | generate | validate | diff | migrate` as use cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from application.crypt.ports import Keyrings, Resealing
from application.ports.database import Database
from application.schema.migrations import ApplyMigrations, MigrationFile, ScriptRunner
from domain.app import App
from domain.errors import ConfigError, DestructiveChanges
from domain.schema.diff import Change, diff_schemas
from domain.schema.generate import merge_generated
from domain.schema.model import Schema


class SchemaMigrator(Protocol):
    async def plan(self, app_id: str, declared: Schema, changes: list[Change]) -> list[str]:
        """The DDL statements that make these changes on this app's database."""
        ...


@dataclass
class MigrationReport:
    files: list[MigrationFile] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    applied: bool = False
    to_seal: int = 0  # stored values of encrypted fields not sealed under the active key (plain text above all)
    sealed: int = 0  # ... of which this run re-wrote (encrypted in place)


def _declared(app: App) -> Schema:
    if app.schema is None:
        raise ConfigError(f"app {app.name} has no schema.yaml (create one with `sogoms schema generate {app.name}`)")
    return app.schema


class SchemaCommands:
    def __init__(
        self,
        database: Database,
        migrator: SchemaMigrator,
        runner: ScriptRunner,
        migrations: ApplyMigrations,
        resealer: Resealing | None = None,
        keyrings: Keyrings | None = None,
    ):
        self._db, self._migrator, self._runner, self._migrations = database, migrator, runner, migrations
        self._resealer, self._keyrings = resealer, keyrings

    async def introspect(self, app: App) -> Schema:
        return await self._db.introspect(app.name)

    async def generate(self, app: App) -> Schema:
        """The live database as a schema, keeping the annotations of the current schema.yaml."""
        return merge_generated(await self._db.introspect(app.name), app.schema)

    @staticmethod
    def validate(app: App) -> list[str]:
        """Problems of schema.yaml beyond what loading it checks (loading already refuses broken files)."""
        schema = _declared(app)
        problems = schema.problems()
        for table in schema.tables.values():
            if table.crud and table.primary_key not in table.fields:
                problems.append(f"table {table.name} has no primary key: routes by id cannot work")
            if table.crud and table.owner_field is None and table.filters is None and table.roles is None:
                problems.append(f"table {table.name} has no owner field, filters or roles: every user sees every row")
        return problems

    async def diff(self, app: App) -> list[Change]:
        return diff_schemas(_declared(app), await self._db.introspect(app.name))

    async def migrate(self, app: App, *, apply: bool, allow_destructive: bool) -> MigrationReport:
        """Pending migrations/*.sql first, then the DDL reaching schema.yaml; destructive steps need permission."""
        report = MigrationReport()
        dialect = app.settings.database.dialect
        report.files = await self._migrations(app.name, dialect, apply=apply)
        if app.schema is None:
            report.applied = apply
            return report
        report.changes = await self.diff(app)
        destructive = [c for c in report.changes if c.destructive]
        report.statements = await self._migrator.plan(app.name, app.schema, report.changes) if report.changes else []
        if apply and destructive and not allow_destructive:
            listed = "; ".join(c.describe() for c in destructive)
            raise DestructiveChanges(f"refusing destructive steps without --allow-destructive: {listed}")
        if apply and report.statements:
            await self._runner.execute_script(app.name, report.statements)
        report.applied = apply
        await self._seal(app, report, apply=apply)
        return report

    async def _seal(self, app: App, report: MigrationReport, *, apply: bool) -> None:
        """Values of encrypted fields the database holds in plain text (the field was just marked `encrypted`, or
        rows came from a SQL migration) are encrypted in place, in batches, under the active key."""
        schema = app.schema
        if schema is None or self._resealer is None or self._keyrings is None:
            return
        if not any(t.encrypted for t in schema.tables.values()) or (report.changes and not apply):
            return  # the columns may not exist yet: a dry run cannot count them
        active = self._keyrings.active(app.name)
        status = await self._resealer.status(app.name, schema)
        report.to_seal = sum(n for counts in status.values() for k, n in counts.items() if k != active)
        if apply and report.to_seal:
            report.sealed = (await self._resealer.reseal(app.name, schema, active)).rewritten
