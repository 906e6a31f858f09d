"""sogoms-mailproc's composition root: the CRUD use cases of the gateway, the mail, push and log clients."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.audit.log_audit import LogAuditTrail
from adapters.clock import AsyncioPause, SystemClock
from adapters.config.inbound_apps import LoadedInboundApps
from adapters.ipc.mail import IpcMailer
from adapters.ipc.push import IpcPublisher
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.mime.parser import parse_message
from adapters.regex.matching import RegexMatcher
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.inbound_state import SqlInboundStore
from adapters.sql.users import SqlUserDirectory
from adapters.templates.rule_values import JinjaValues
from application.crud.catalog import TableCatalog
from application.crud.query_resources import QueryResources
from application.crud.resources import Resources
from application.crud.schema_resources import SchemaResources
from application.crypt.fields import FieldSealer
from application.inbound.actions import RuleActions
from application.inbound.apply import ApplyRules
from application.inbound.service import MailProcessor
from application.push.resource_events import NoResourceEvents, QueuedResourceEvents
from entrypoints.wiring import transports
from entrypoints.wiring.lazy import LazyCipher, LazyHttpJobClient


class MailprocContainer(containers.DeclarativeContainer):
    config = providers.Configuration()

    clock = providers.Singleton(SystemClock)
    database = transports.database(
        config.transport.db, secrets=config.paths.secrets, socket=config.sockets.db, timeout=30.0
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = transports.logs(config.transport.logs, files=file_logs, socket=config.sockets.logs)
    mailer = providers.Singleton(
        IpcMailer, client=transports.ipc_client(config.sockets.smtp, "sogoms-smtp", timeout=30.0)
    )
    events = providers.Selector(
        config.transport.push,
        ipc=providers.Singleton(
            QueuedResourceEvents,
            publisher=providers.Singleton(
                IpcPublisher,
                client=transports.ipc_client(config.sockets.push, "sogoms-push", timeout=5.0),
            ),
        ),
        off=providers.Singleton(NoResourceEvents),
    )
    http = providers.Singleton(LazyHttpJobClient)
    apps = providers.Singleton(LoadedInboundApps, secrets_dir=config.paths.secrets)
    catalog = providers.Singleton(TableCatalog, database=database)
    sealer = providers.Singleton(
        FieldSealer,
        cipher=providers.Singleton(LazyCipher, config_dir=config.paths.config, secrets_dir=config.paths.secrets),
        logs=logs,
    )
    resources = providers.Singleton(
        Resources,
        queries=providers.Singleton(QueryResources, database=database, catalog=catalog, sealer=sealer),
        tables=providers.Singleton(
            SchemaResources, database=database, sql=providers.Singleton(CoreTableSql), sealer=sealer
        ),
        catalog=catalog,
        audit=providers.Singleton(LogAuditTrail, logs=logs),
        events=events,
    )
    store = providers.Singleton(SqlInboundStore, database=database)
    actions = providers.Singleton(
        RuleActions,
        resources=resources,
        mailer=mailer,
        http=http,
        values=providers.Singleton(JinjaValues),
        apps=apps,
        pause=providers.Singleton(AsyncioPause),
    )
    apply = providers.Singleton(
        ApplyRules,
        apps=apps,
        parse=providers.Object(parse_message),
        matcher=providers.Singleton(RegexMatcher),
        store=store,
        users=providers.Singleton(SqlUserDirectory, database=database, sealer=sealer),
        actions=actions,
        logs=logs,
        clock=clock,
        lease=config.lease,
    )
    processor = providers.Singleton(
        MailProcessor, apps=apps, parse=providers.Object(parse_message), apply=apply, store=store, clock=clock
    )
