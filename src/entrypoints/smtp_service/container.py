"""Composition of the mail stack: used by `sogoms-smtp`, and by the gateway when `transport.smtp: inproc`."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.ipc.client import IpcClient
from adapters.ipc.ports import IpcDatabase, IpcLogSink
from adapters.logs.fallback import FallbackLogSink
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.smtp.accounts import SmtpAccounts
from adapters.smtp.transport import AiosmtplibTransport
from adapters.sql.outbox import SqlOutbox
from adapters.templates.jinja import JinjaTemplates
from application.mail.delivery import DeliverOutbox
from application.mail.retry import RetryPolicy
from application.mail.service import MailService
from application.mail.worker import DeliveryLoop
from entrypoints.lazy_adapters import sqlalchemy_database

from .defaults import MAIL_DEFAULTS, mail_config
from .runtime import MailRuntime

__all__ = ["MAIL_DEFAULTS", "Mail", "SmtpService", "mail_config"]


class Mail(containers.DeclarativeContainer):
    """The mail stack over a Database and a LogSink."""

    config = providers.Configuration()
    database: providers.Dependency[Any] = providers.Dependency()
    logs: providers.Dependency[Any] = providers.Dependency()

    clock = providers.Singleton(SystemClock)
    accounts = providers.Singleton(SmtpAccounts, secrets_dir=config.secrets)
    templates = providers.Singleton(JinjaTemplates)
    outbox = providers.Singleton(SqlOutbox, database=database)
    transport = providers.Singleton(AiosmtplibTransport, ca_file=config.ca_file)
    policy = providers.Singleton(
        RetryPolicy, max_attempts=config.max_attempts, base=config.retry_base, cap=config.retry_cap
    )
    deliver = providers.Singleton(
        DeliverOutbox,
        outbox=outbox,
        transport=transport,
        accounts=accounts,
        clock=clock,
        logs=logs,
        policy=policy,
        lease=config.lease,
    )
    delivery = providers.Singleton(
        DeliveryLoop, deliver=deliver, accounts=accounts, clock=clock, poll=config.poll, keep=config.keep
    )
    service = providers.Singleton(
        MailService, accounts=accounts, templates=templates, outbox=outbox, clock=clock, notify=delivery.provided.wake
    )
    runtime = providers.Singleton(MailRuntime, accounts=accounts, templates=templates, delivery=delivery)


class SmtpService(containers.DeclarativeContainer):
    """`sogoms-smtp`: the app databases in-process (SQLAlchemy) or through sogoms-db; logs likewise."""

    config = providers.Configuration()
    database_settings: providers.Object[dict[str, Any]] = providers.Object({})

    database = providers.Selector(
        config.db,
        inproc=providers.Singleton(sqlalchemy_database, secrets_dir=config.paths.secrets, settings=database_settings),
        ipc=providers.Singleton(
            IpcDatabase,
            client=providers.Singleton(
                IpcClient, path=config.sockets.db, service="sogoms-db", pool_size=4, timeout=30.0
            ),
        ),
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = providers.Selector(
        config.logs,
        inproc=file_logs,
        ipc=providers.Singleton(
            FallbackLogSink,
            primary=providers.Singleton(
                IpcLogSink, client=providers.Singleton(IpcClient, path=config.sockets.logs, service="sogoms-logs")
            ),
            fallback=file_logs,
        ),
    )
    mail = providers.Container(Mail, config=config.mail, database=database, logs=logs)
