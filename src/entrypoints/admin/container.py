"""sogoms-admin's composition root: which adapter serves each port."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.admin.app_creator import FolderAppCreator
from adapters.admin.app_folders import AppFolderFiles, YamlAppCatalog
from adapters.admin.databases import InprocAppDatabases, SqlDatabaseProbe, YamlSchemaText
from adapters.admin.log_files import JsonLinesLogReader
from adapters.admin.services import IpcCronControl, IpcServiceControl
from adapters.admin.signing import CookieSigner, SecretsRandomness, session_key
from adapters.admin.sql_state import SqlAdminState
from adapters.admin.users_file import YamlAdminUsers
from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.ipc.client import IpcClient
from adapters.ipc.ports import IpcLogSink
from adapters.logs.fallback import FallbackLogSink
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.migrator import SqlSchemaMigrator
from application.admin.accounts import AdminAccounts
from application.admin.apps import AppsAdmin
from application.admin.audit import Auditor
from application.admin.create_app import CreateApp
from application.admin.files import AppFileEditor
from application.admin.operations import CronAdmin, LogViewer, ServicesView
from application.admin.sessions import AdminSessions
from application.schema.commands import SchemaCommands
from application.schema.migrations import ApplyMigrations

from .validators import extra_checks


class AdminContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    settings = providers.Dependency()

    clock = providers.Singleton(SystemClock)
    randomness = providers.Singleton(SecretsRandomness)
    signer = providers.Singleton(
        CookieSigner, key=providers.Callable(session_key, config.paths.secrets, config.session_secret_file)
    )
    users = providers.Singleton(YamlAdminUsers, path=config.users_file)
    state = providers.Singleton(SqlAdminState, url=config.state_url, secrets_dir=config.paths.secrets)
    hasher = providers.Singleton(Argon2Hasher, workers=2)
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = providers.Selector(
        config.logs_transport,
        inproc=file_logs,
        ipc=providers.Singleton(
            FallbackLogSink,
            primary=providers.Singleton(
                IpcLogSink,
                client=providers.Singleton(
                    IpcClient, path=config.sockets.logs, service="sogoms-logs", timeout=config.ipc_timeout
                ),
            ),
            fallback=file_logs,
        ),
    )
    auditor = providers.Singleton(Auditor, logs=logs)
    control = providers.Singleton(
        IpcServiceControl,
        client=providers.Singleton(IpcClient, path=config.sockets.sogoctl, service="sogoctl", timeout=10.0),
    )
    cron = providers.Singleton(
        IpcCronControl,
        client=providers.Singleton(IpcClient, path=config.sockets.cron, service="sogoms-cron", timeout=10.0),
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
        throttle=state,
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
            },
            settings,
        ),
    )
    cron_admin = providers.Singleton(CronAdmin, catalog=catalog, cron=cron, auditor=auditor)
    log_reader = providers.Singleton(JsonLinesLogReader, log_dir=config.paths.logs)
    log_viewer = providers.Singleton(
        LogViewer,
        catalog=catalog,
        reader=log_reader,
        auditor=auditor,
        page_size=providers.Callable(lambda s: s.page_size, settings),
    )
    services = providers.Singleton(ServicesView, control=control, auditor=auditor)
