"""The apps an operator may see: the list, one app's tables, routes, dictionary and sync state, and the scan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from application.api.dictionary import data_dictionary
from application.api.routes import Route, route_table
from application.crypt.ports import Keyrings, Resealing
from application.schema.commands import SchemaCommands
from application.schema.index_advice import IndexAdvice
from domain.admin import AddressList
from domain.app import App
from domain.errors import DomainError, NotFound
from domain.schema.diff import diff_schemas
from domain.schema.model import Schema

from .audit import Actor, Auditor
from .databases import check_allowed, database_host
from .encryption import EncryptionState, encryption_state
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
    routes: tuple[Route, ...]
    dictionary: dict[str, Any] | None
    sync: SchemaSync
    index_warnings: list[str] = field(default_factory=list)
    encryption: EncryptionState | None = None  # when the schema encrypts a field


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
        advice: IndexAdvice | None = None,
        keyrings: Callable[[App], Keyrings] | None = None,
        resealer: Resealing | None = None,  # counts the values under each key (reads key ids, never opens one)
    ) -> None:
        self._keyrings, self._resealer = keyrings, resealer
        self._catalog, self._files, self._dbs, self._schema = catalog, files, databases, schema
        self._writer, self._probe, self._allowlist, self._control = writer, probe, allowlist, control
        self._audit, self._reload, self._advice = auditor, reload_targets, advice

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
        warnings: list[str] = []
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
                    if self._advice is not None:
                        warnings = [w.describe() for w in await self._advice.warnings(app, live)]
        schema = app.schema or live
        source = "schema.yaml" if app.schema is not None else ("database" if live is not None else "none")
        served = route_table(app)
        dictionary = data_dictionary(served, schema) if schema is not None else None
        encryption = None
        if (
            app.schema is not None
            and self._keyrings is not None
            and any(t.encrypted for t in app.schema.tables.values())
        ):
            # values are counted only where introspection was allowed (the same database access)
            resealer = self._resealer if live is not None else None
            encryption = await encryption_state(app.name, app.schema, self._keyrings(app), resealer)
        return AppDetail(app, schema, source, served.routes, dictionary, sync, warnings, encryption)

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
