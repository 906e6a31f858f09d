"""The gateway's composition root: which adapter serves each port (inproc or ipc is decided here only)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.audit.spool import SpoolingAuditTrail
from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.ipc.client import CallObserver
from adapters.ipc.crypt import IpcCipher
from adapters.ipc.mail import IpcMailer
from adapters.ipc.push import IpcPublisher
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.logs.resilient import ResilientLogSink
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.security.jwt_tokens import JwtTokens
from adapters.sql.auth_store import SqlRefreshTokens, SqlRevocationList
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.rate_limits import SqlRateLimits
from adapters.sql.users import SqlUserDirectory
from adapters.templates.files import EmailFolders
from application.auth.account_check import AccountCheck
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
from application.crypt.fields import FieldSealer
from application.mail.welcome import WelcomeMail
from application.push.resource_events import NoResourceEvents, QueuedResourceEvents
from application.registry import LiveRegistry
from entrypoints.wiring import transports
from entrypoints.wiring.lazy import LazyCipher, inproc_mail_stack


class Adapters(containers.DeclarativeContainer):
    config = providers.Configuration()

    ipc_observer: providers.Object[CallObserver | None] = providers.Object(
        None
    )  # the metrics hook, set by the app (adapters stay metrics-free)
    clock = providers.Singleton(SystemClock)
    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    database = transports.database(
        config.transport.db,
        secrets=config.paths.secrets,
        socket=config.sockets.db,
        timeout=config.ipc_timeout,
        pool_size=4,
        observer=ipc_observer,
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    # the log store as it is (raises when it cannot write): the audit trail's, which spools what it cannot log
    strict_logs = transports.logs(
        config.transport.logs,
        files=file_logs,
        socket=config.sockets.logs,
        timeout=config.ipc_timeout,
        observer=ipc_observer,
    )
    # everyone else's: a log line that cannot be written never fails the request it describes (issue 11)
    logs = providers.Singleton(ResilientLogSink, inner=strict_logs)
    cipher = providers.Selector(  # transport.crypt: inproc (AES-GCM in the gateway) or ipc (sogoms-crypt)
        config.transport.crypt,
        inproc=providers.Singleton(LazyCipher, config_dir=config.paths.config, secrets_dir=config.paths.secrets),
        ipc=providers.Singleton(
            IpcCipher,
            client=transports.ipc_client(
                config.sockets.crypt, "sogoms-crypt", timeout=config.ipc_timeout, observer=ipc_observer
            ),
        ),
    )
    sealer = providers.Singleton(FieldSealer, cipher=cipher, logs=logs)
    hasher = providers.Singleton(Argon2Hasher, workers=config.argon2_workers)
    tokens = providers.Singleton(JwtTokens)
    revocations = providers.Singleton(SqlRevocationList, database=database)
    refresh_tokens = providers.Singleton(SqlRefreshTokens, database=database, revocations=revocations)
    rate_limits = providers.Singleton(SqlRateLimits, database=database)
    users = providers.Singleton(SqlUserDirectory, database=database, sealer=sealer)
    # transport.smtp: ipc (sogoms-smtp over its socket), inproc (the mail stack runs in the gateway), off
    mail_stack = providers.Singleton(inproc_mail_stack, config=config.mail, database=database, logs=logs)
    mailer = providers.Selector(
        config.transport.smtp,
        inproc=mail_stack.provided.service.call(),
        ipc=providers.Singleton(
            IpcMailer,
            client=transports.ipc_client(
                config.sockets.smtp, "sogoms-smtp", timeout=config.ipc_timeout, connect_wait=0.1, observer=ipc_observer
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
    audit = providers.Singleton(SpoolingAuditTrail, logs=strict_logs, database=database)
    push = providers.Singleton(
        IpcPublisher,
        client=transports.ipc_client(
            config.sockets.push, "sogoms-push", timeout=config.ipc_timeout, observer=ipc_observer
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
        queries=providers.Singleton(
            QueryResources, database=adapters.database, catalog=catalog, sealer=adapters.sealer
        ),
        tables=providers.Singleton(
            SchemaResources, database=adapters.database, sql=adapters.table_sql, sealer=adapters.sealer
        ),
        catalog=catalog,
        audit=adapters.audit,
        events=adapters.events,
    )
    authenticate = providers.Singleton(
        Authenticator,
        codec=adapters.tokens,
        revocations=adapters.revocations,
        accounts=providers.Singleton(AccountCheck, users=adapters.users),
    )
    login = providers.Singleton(
        LoginHandler,
        users=adapters.users,
        hasher=adapters.hasher,
        sessions=sessions,
        limits=adapters.rate_limits,
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
        limits=adapters.rate_limits,
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
