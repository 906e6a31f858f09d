"""The mail stack over a Database and a LogSink: used by `sogoms-smtp`, and by the gateway when `transport.smtp: inproc`."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.clock import AsyncioPause, SystemClock
from adapters.smtp.accounts import SmtpAccounts
from adapters.smtp.transport import AiosmtplibTransport
from adapters.sql.outbox import SqlOutbox
from adapters.templates.jinja import JinjaTemplates
from application.mail.delivery import DeliverOutbox
from application.mail.retry import RetryPolicy
from application.mail.service import MailService
from application.mail.worker import DeliveryLoop

from .mail_runtime import MailRuntime


class Mail(containers.DeclarativeContainer):
    """The mail stack over a Database and a LogSink."""

    config = providers.Configuration()
    database: providers.Dependency[Any] = providers.Dependency()
    logs: providers.Dependency[Any] = providers.Dependency()

    clock = providers.Singleton(SystemClock)
    pause = providers.Singleton(AsyncioPause)
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
        DeliveryLoop, deliver=deliver, accounts=accounts, clock=clock, pause=pause, poll=config.poll, keep=config.keep
    )
    service = providers.Singleton(
        MailService, accounts=accounts, templates=templates, outbox=outbox, clock=clock, notify=delivery.provided.wake
    )
    runtime = providers.Singleton(MailRuntime, accounts=accounts, templates=templates, delivery=delivery)
