"""The admin's use cases on real app folders (a platform of both demo apps), with fake services and audit sink."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from adapters.clock import SystemClock
from adapters.config.app_creator import FolderAppCreator
from adapters.config.app_folders import AppFolderFiles, YamlAppCatalog
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.config.schema_writer import YamlSchemaText
from adapters.sql.app_databases import InprocAppDatabases
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.migrator import SqlSchemaMigrator
from adapters.sql.probe import SqlDatabaseProbe
from application.admin.apps import AppsAdmin
from application.admin.audit import Actor, Auditor
from application.admin.create_app import CreateApp
from application.admin.files import AppFileEditor
from application.admin.ports import ServiceState
from application.schema.commands import SchemaCommands
from application.schema.index_advice import IndexAdvice
from application.schema.migrations import ApplyMigrations
from domain.admin import AddressList, AdminUser, Role
from entrypoints.admin.validators import extra_checks, statement_readers
from tests.fakes.admin import FakeRandomness, FakeServiceControl
from tests.fakes.logs import FakeLogSink
from tests.support.platform import Platform

BOSS = Actor(AdminUser("boss", "h", Role.SUPER_ADMIN), "127.0.0.1")
ANN = Actor(
    AdminUser("ann", "h", Role.APP_ADMIN, apps=("prokov",), permissions=("schema:read", "queries:read", "logs:read")),
    "127.0.0.1",
)
EDITOR = Actor(
    AdminUser("ed", "h", Role.APP_ADMIN, apps=("prokov",), permissions=("*",)),
    "127.0.0.1",
)


@dataclass
class AdminWorld:
    platform: Platform
    logs: FakeLogSink
    control: FakeServiceControl
    apps: AppsAdmin
    create: CreateApp
    editor: AppFileEditor
    database: SqlAlchemyDatabase


@pytest.fixture
async def admin(platform: Platform) -> AsyncIterator[AdminWorld]:
    paths = platform.paths
    logs = FakeLogSink()
    control = FakeServiceControl(
        [ServiceState(n, "RUNNING") for n in ("sogoway", "sogoms-db", "sogoms-cron", "sogoms-mailproc")]
    )
    auditor = Auditor(logs)
    repo = YamlAppRepository(paths.config, paths.secrets)
    catalog = YamlAppCatalog(repo, paths.config)
    files = AppFolderFiles(paths.config, paths.secrets, extra_checks(), statement_readers())
    db = SqlAlchemyDatabase(paths.secrets)
    schema = SchemaCommands(
        db, SqlSchemaMigrator(db), db, ApplyMigrations(FolderMigrations(paths.config / "apps"), db, db, SystemClock())
    )
    probe = SqlDatabaseProbe(paths.data, timeout=3)
    allow = AddressList(("127.0.0.0/8", "::1/128", "localhost"))
    world = AdminWorld(
        platform,
        logs,
        control,
        AppsAdmin(
            catalog,
            files,
            InprocAppDatabases(db),
            schema,
            YamlSchemaText(),
            probe,
            allow,
            control,
            auditor,
            advice=IndexAdvice(db, CoreTableSql()),
        ),
        CreateApp(
            catalog,
            FolderAppCreator(paths.config, paths.secrets),
            probe,
            allow,
            FakeRandomness(),
            control,
            auditor,
            ("sogoway", "sogoms-db"),
        ),
        AppFileEditor(
            catalog,
            files,
            control,
            auditor,
            {"queries": ("sogoway",), "schema": ("sogoway",), "cron": ("sogoms-cron",), "mail": ("sogoms-mailproc",)},
        ),
        db,
    )
    try:
        yield world
    finally:
        await db.close()
