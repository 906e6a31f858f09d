"""sogoms-admin's composition root: which adapter serves each port."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.config.admin_users import YamlAdminUsers
from adapters.config.app_creator import FolderAppCreator
from adapters.config.app_folders import AppFolderFiles, YamlAppCatalog
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.config.schema_writer import YamlSchemaText
from adapters.ipc.controls import IpcCronControl, IpcInboundControl, IpcServiceControl
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.logs.reader import JsonLinesLogReader
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.security.signing import CookieSigner, SecretsRandomness, session_key
from adapters.sql.admin_state import SqlAdminState
from adapters.sql.app_databases import InprocAppDatabases
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.migrator import SqlSchemaMigrator
from adapters.sql.probe import SqlDatabaseProbe
from application.admin.accounts import AdminAccounts
from application.admin.apps import AppsAdmin
from application.admin.audit import Auditor
from application.admin.create_app import CreateApp
from application.admin.files import AppFileEditor
from application.admin.mail import MailAdmin
from application.admin.operations import CronAdmin, LogViewer, ServicesView
from application.admin.sessions import AdminSessions
from application.crypt.reseal import Resealer
from application.schema.commands import SchemaCommands
from application.schema.index_advice import IndexAdvice
from application.schema.migrations import ApplyMigrations
from domain.admin import AdminSettings
from entrypoints.wiring import transports

from .validators import extra_checks, statement_readers


def app_keyrings(secrets_dir: str) -> Any:
    """One app's keyring files, as rotation sees them (ids only)."""
    from adapters.crypt.keyring import FileKeyrings

    return lambda app: FileKeyrings(Path(secrets_dir), {app.name: app.settings})


class AdminContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    settings: providers.Dependency[AdminSettings] = providers.Dependency()

    clock = providers.Singleton(SystemClock)
    randomness = providers.Singleton(SecretsRandomness)
    signer = providers.Singleton(
        CookieSigner, key=providers.Callable(session_key, config.paths.secrets, config.session_secret_file)
    )
    users = providers.Singleton(YamlAdminUsers, path=config.users_file)
    state = providers.Singleton(SqlAdminState, url=config.state_url, secrets_dir=config.paths.secrets)
    hasher = providers.Singleton(Argon2Hasher, workers=2)
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = transports.logs(
        config.logs_transport, files=file_logs, socket=config.sockets.logs, timeout=config.ipc_timeout
    )
    auditor = providers.Singleton(Auditor, logs=logs)
    control = providers.Singleton(
        IpcServiceControl,
        client=transports.ipc_client(config.sockets.sogoctl, "sogoctl", timeout=10.0),
    )
    cron = providers.Singleton(
        IpcCronControl,
        client=transports.ipc_client(config.sockets.cron, "sogoms-cron", timeout=10.0),
    )
    inbound = providers.Singleton(
        IpcInboundControl,
        imap=transports.ipc_client(config.sockets.imap, "sogoms-imap", timeout=10.0),
        mailproc=transports.ipc_client(config.sockets.mailproc, "sogoms-mailproc", timeout=10.0),
    )
    repository = providers.Singleton(
        YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets
    )
    catalog = providers.Singleton(YamlAppCatalog, repository=repository, config_dir=config.paths.config)
    files = providers.Singleton(
        AppFolderFiles,
        config_dir=config.paths.config,
        secrets_dir=config.paths.secrets,
        checks=providers.Callable(extra_checks),
        statements=providers.Callable(statement_readers),
    )
    # introspection runs in-process: the admin checks db_allowlist before each connection it makes itself
    database = providers.Singleton(SqlAlchemyDatabase, secrets_dir=config.paths.secrets)
    app_databases = providers.Singleton(InprocAppDatabases, database=database)
    probe = providers.Singleton(SqlDatabaseProbe, data_dir=config.paths.data)
    schema_commands = providers.Singleton(
        SchemaCommands,
        database=database,
        migrator=providers.Singleton(SqlSchemaMigrator, database),
        runner=database,
        migrations=providers.Singleton(
            ApplyMigrations,
            providers.Singleton(FolderMigrations, config.paths.apps),
            database,
            database,
            clock,
        ),
    )
    allowlist = providers.Callable(lambda s: s.allowlist, settings)
    creator = providers.Singleton(FolderAppCreator, config_dir=config.paths.config, secrets_dir=config.paths.secrets)

    sessions = providers.Singleton(
        AdminSessions,
        users=users,
        store=state,
        hasher=hasher,
        rate_limits=state,
        clock=clock,
        randomness=randomness,
        auditor=auditor,
        settings=providers.Callable(lambda s: s.session, settings),
        limits=providers.Callable(lambda s: s.rate_limit, settings),
    )
    accounts = providers.Singleton(AdminAccounts, users=users, hasher=hasher, sessions=state)
    apps = providers.Singleton(
        AppsAdmin,
        catalog=catalog,
        files=files,
        databases=app_databases,
        schema=schema_commands,
        writer=providers.Singleton(YamlSchemaText),
        probe=probe,
        allowlist=allowlist,
        control=control,
        auditor=auditor,
        reload_targets=providers.Callable(lambda s: s.reload.schema, settings),
        advice=providers.Singleton(IndexAdvice, database, providers.Singleton(CoreTableSql)),
        keyrings=providers.Callable(app_keyrings, config.paths.secrets),
        resealer=providers.Singleton(Resealer, database),
    )
    create_app = providers.Singleton(
        CreateApp,
        catalog=catalog,
        creator=creator,
        probe=probe,
        allowlist=allowlist,
        randomness=randomness,
        control=control,
        auditor=auditor,
        reload_targets=providers.Callable(lambda s: s.reload.apps, settings),
    )
    editor = providers.Singleton(
        AppFileEditor,
        catalog=catalog,
        files=files,
        control=control,
        auditor=auditor,
        reload_targets=providers.Callable(
            lambda s: {
                "queries": s.reload.queries,
                "schema": s.reload.schema,
                "emails": s.reload.emails,
                "cron": s.reload.cron,
                "mail": s.reload.mail,
            },
            settings,
        ),
    )
    cron_admin = providers.Singleton(CronAdmin, catalog=catalog, cron=cron, auditor=auditor)
    mail_admin = providers.Singleton(MailAdmin, catalog=catalog, files=files, inbound=inbound, auditor=auditor)
    log_reader = providers.Singleton(JsonLinesLogReader, log_dir=config.paths.logs)
    log_viewer = providers.Singleton(
        LogViewer,
        catalog=catalog,
        reader=log_reader,
        auditor=auditor,
        page_size=providers.Callable(lambda s: s.page_size, settings),
    )
    services = providers.Singleton(ServicesView, control=control, auditor=auditor)
