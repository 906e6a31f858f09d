"""The gateway's composition root: which adapter serves each port (inproc or ipc is decided here only)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.audit.log_audit import LogAuditTrail
from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.ipc.client import IpcClient
from adapters.ipc.mail import IpcMailer
from adapters.ipc.ports import IpcDatabase, IpcLogSink
from adapters.ipc.push import IpcPublisher
from adapters.logs.fallback import FallbackLogSink
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.security.jwt_tokens import JwtTokens
from adapters.sql.auth_store import SqlLoginThrottle, SqlRefreshTokens, SqlRevocationList
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.users import SqlUserDirectory
from adapters.templates.files import EmailFolders
from application.auth.authenticate import Authenticator
from application.auth.login import LoginHandler
from application.auth.logout import LogoutHandler
from application.auth.me import MeHandler
from application.auth.refresh import RefreshHandler
from application.auth.register import NoWelcomeMail, RegisterHandler
from application.auth.session import SessionIssuer
from application.crud.catalog import TableCatalog
from application.crud.query_resources import QueryResources
from application.crud.resources import Resources
from application.crud.schema_resources import SchemaResources
from application.mail.welcome import WelcomeMail
from application.push.resource_events import NoResourceEvents, QueuedResourceEvents
from application.registry import LiveRegistry
from entrypoints.lazy_adapters import inproc_mail_stack, sqlalchemy_database


class Adapters(containers.DeclarativeContainer):
    config = providers.Configuration()

    ipc_observer = providers.Object(None)  # the metrics hook, set by the app (adapters stay metrics-free)
    clock = providers.Singleton(SystemClock)
    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    database = providers.Selector(
        config.transport.db,
        inproc=providers.Singleton(sqlalchemy_database, secrets_dir=config.paths.secrets),
        ipc=providers.Singleton(
            IpcDatabase,
            client=providers.Singleton(
                IpcClient,
                path=config.sockets.db,
                service="sogoms-db",
                timeout=config.ipc_timeout,
                pool_size=4,
                observer=ipc_observer,
            ),
        ),
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = providers.Selector(
        config.transport.logs,
        inproc=file_logs,
        ipc=providers.Singleton(
            FallbackLogSink,
            primary=providers.Singleton(
                IpcLogSink,
                client=providers.Singleton(
                    IpcClient,
                    path=config.sockets.logs,
                    service="sogoms-logs",
                    timeout=config.ipc_timeout,
                    observer=ipc_observer,
                ),
            ),
            fallback=file_logs,
        ),
    )
    hasher = providers.Singleton(Argon2Hasher, workers=config.argon2_workers)
    tokens = providers.Singleton(JwtTokens)
    revocations = providers.Singleton(SqlRevocationList, database=database)
    refresh_tokens = providers.Singleton(SqlRefreshTokens, database=database, revocations=revocations)
    throttle = providers.Singleton(SqlLoginThrottle, database=database)
    users = providers.Singleton(SqlUserDirectory, database=database)
    # transport.smtp: ipc (sogoms-smtp over its socket), inproc (the mail stack runs in the gateway), off
    mail_stack = providers.Singleton(inproc_mail_stack, config=config.mail, database=database, logs=logs)
    mailer = providers.Selector(
        config.transport.smtp,
        inproc=mail_stack.provided.service.call(),
        ipc=providers.Singleton(
            IpcMailer,
            client=providers.Singleton(
                IpcClient,
                path=config.sockets.smtp,
                service="sogoms-smtp",
                timeout=config.ipc_timeout,
                connect_wait=0.1,
                observer=ipc_observer,
            ),
        ),
        off=providers.Object(None),
    )
    welcome_mail = providers.Singleton(
        WelcomeMail, mailer=mailer, templates=providers.Singleton(EmailFolders), logs=logs
    )
    welcome = providers.Selector(
        config.transport.smtp, inproc=welcome_mail, ipc=welcome_mail, off=providers.Singleton(NoWelcomeMail)
    )
    table_sql = providers.Singleton(CoreTableSql)
    audit = providers.Singleton(LogAuditTrail, logs=logs)
    push = providers.Singleton(
        IpcPublisher,
        client=providers.Singleton(
            IpcClient,
            path=config.sockets.push,
            service="sogoms-push",
            timeout=config.ipc_timeout,
            observer=ipc_observer,
        ),
    )
    events = providers.Selector(  # transport.push: ipc publishes CRUD events through sogoms-push; off does not
        config.transport.push,
        ipc=providers.Singleton(QueuedResourceEvents, publisher=push),
        off=providers.Singleton(NoResourceEvents),
    )


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    registry = providers.Singleton(LiveRegistry, repository=adapters.apps, clock=adapters.clock)
    sessions = providers.Singleton(
        SessionIssuer, codec=adapters.tokens, refresh_tokens=adapters.refresh_tokens, clock=adapters.clock
    )
    catalog = providers.Singleton(TableCatalog, database=adapters.database)
    resources = providers.Singleton(
        Resources,
        queries=providers.Singleton(QueryResources, database=adapters.database, catalog=catalog),
        tables=providers.Singleton(SchemaResources, database=adapters.database, sql=adapters.table_sql),
        catalog=catalog,
        audit=adapters.audit,
    )
    authenticate = providers.Singleton(Authenticator, codec=adapters.tokens, revocations=adapters.revocations)
    login = providers.Singleton(
        LoginHandler,
        users=adapters.users,
        hasher=adapters.hasher,
        sessions=sessions,
        throttle=adapters.throttle,
        clock=adapters.clock,
        logs=adapters.logs,
        lister=resources,
    )
    register = providers.Singleton(
        RegisterHandler,
        users=adapters.users,
        hasher=adapters.hasher,
        sessions=sessions,
        logs=adapters.logs,
        welcome=adapters.welcome,
        throttle=adapters.throttle,
        clock=adapters.clock,
    )
    refresh = providers.Singleton(
        RefreshHandler,
        users=adapters.users,
        refresh_tokens=adapters.refresh_tokens,
        sessions=sessions,
        clock=adapters.clock,
        logs=adapters.logs,
    )
    logout = providers.Singleton(
        LogoutHandler,
        revocations=adapters.revocations,
        refresh_tokens=adapters.refresh_tokens,
        clock=adapters.clock,
        logs=adapters.logs,
    )
    me = providers.Singleton(MeHandler, users=adapters.users)


class Gateway(containers.DeclarativeContainer):
    config = providers.Configuration()
    adapters = providers.Container(Adapters, config=config)
    use_cases = providers.Container(UseCases, adapters=adapters)
