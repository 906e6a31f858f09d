"""The apps an operator may see: the list, one app's tables, routes, dictionary and sync state, and the scan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from application.schema.commands import SchemaCommands
from application.schema.dictionary import Route, data_dictionary, routes
from domain.admin import AddressList
from domain.app import App
from domain.errors import DomainError, NotFound
from domain.schema import Schema
from domain.schema_diff import diff_schemas

from .audit import Actor, Auditor
from .databases import check_allowed, database_host
from .ports import AppCatalog, AppDatabases, AppFiles, DatabaseProbe, SchemaText, ServiceControl
from .reloads import reload_services


@dataclass(frozen=True, slots=True)
class AppSummary:
    name: str
    hosts: tuple[str, ...] = ()
    base_path: str = ""
    database: str = ""
    error: str = ""


@dataclass(frozen=True, slots=True)
class SchemaSync:
    checked: bool
    in_sync: bool = False
    changes: list[str] = field(default_factory=list)
    error: str = ""


@dataclass(frozen=True, slots=True)
class AppDetail:
    app: App
    schema: Schema | None
    schema_source: str  # schema.yaml | database | none
    routes: list[Route]
    dictionary: dict[str, Any] | None
    sync: SchemaSync


@dataclass(frozen=True, slots=True)
class ScanResult:
    tables: list[str]
    warnings: list[str]


class AppsAdmin:
    def __init__(
        self,
        catalog: AppCatalog,
        files: AppFiles,
        databases: AppDatabases,
        schema: SchemaCommands,
        writer: SchemaText,
        probe: DatabaseProbe,
        allowlist: AddressList,
        control: ServiceControl,
        auditor: Auditor,
        reload_targets: tuple[str, ...] = ("sogoway",),
    ) -> None:
        self._catalog, self._files, self._dbs, self._schema = catalog, files, databases, schema
        self._writer, self._probe, self._allowlist, self._control = writer, probe, allowlist, control
        self._audit, self._reload = auditor, reload_targets

    async def overview(self, actor: Actor) -> list[AppSummary]:
        """Every app this operator may see; an app whose folder does not load is listed with the reason."""
        out: list[AppSummary] = []
        for name in actor.user.visible(await self._catalog.names()):
            try:
                app = await self._catalog.load(name)
            except DomainError as exc:
                out.append(AppSummary(name, error=exc.message))
                continue
            out.append(AppSummary(name, app.settings.hosts, app.settings.base_path, describe_database(app)))
        return out

    async def _app(self, actor: Actor, name: str, permission: str, action: str) -> App:
        await self._audit.require(actor, permission, name, action)
        if name not in await self._catalog.names():
            raise NotFound(f"no app named {name!r}")
        return await self._catalog.load(name)

    async def detail(self, actor: Actor, name: str) -> AppDetail:
        app = await self._app(actor, name, "schema:read", "view_app")
        live: Schema | None = None
        sync = SchemaSync(checked=False, error="needs the db:introspect permission")
        if actor.user.can("db:introspect", name):
            try:
                live = await self._introspect(app)
            except DomainError as exc:
                sync = SchemaSync(checked=False, error=exc.message)
            else:
                if app.schema is None:
                    sync = SchemaSync(checked=True, in_sync=False, error="no schema.yaml yet: scan the database")
                else:
                    changes = diff_schemas(app.schema, live)
                    sync = SchemaSync(True, not changes, [c.describe() for c in changes])
        schema = app.schema or live
        source = "schema.yaml" if app.schema is not None else ("database" if live is not None else "none")
        dictionary = data_dictionary(app, schema) if schema is not None else None
        return AppDetail(app, schema, source, routes(app), dictionary, sync)

    async def _introspect(self, app: App) -> Schema:
        await check_allowed(self._probe, self._allowlist, database_host(app.settings.database))
        await self._dbs.use([app])
        return await self._schema.introspect(app)

    async def scan(self, actor: Actor, name: str) -> ScanResult:
        """Regenerate schema.yaml from the live database (annotations kept), then reload the gateway."""
        app = await self._app(actor, name, "db:introspect", "scan_database")
        await self._audit.require(actor, "schema:write", name, "scan_database")
        await self._introspect(app)
        generated = await self._schema.generate(app)
        text = self._writer.text(
            generated,
            f"schema.yaml of {app.name}, generated from its database by the admin UI's scan; annotations you add "
            "are kept.",
        )
        await self._files.check(name, "schema.yaml", text)
        await self._files.replace(name, "schema.yaml", text)
        warnings = await reload_services(self._control, self._reload)
        tables = sorted(generated.tables)
        await self._audit.done(actor, "scan_database", name, tables=tables, reload_problems=warnings)
        return ScanResult(tables, warnings)


def describe_database(app: App) -> str:
    db = app.settings.database
    if db.url:
        return "SQLite" if db.dialect == "sqlite" else f"{db.dialect} ({database_host(db)})"
    return f"MariaDB {db.host}:{db.port}/{db.name}"
