"""sogoms-cron's composition root: which adapter serves each port (database and logs inproc or ipc)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.ipc.client import IpcClient
from adapters.ipc.mail import IpcMailer
from adapters.ipc.ports import IpcDatabase, IpcLogSink
from adapters.ipc.services import IpcServiceCaller
from adapters.logs.fallback import FallbackLogSink
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.schedule.clock import AsyncioClock
from adapters.schedule.croniter_schedule import CroniterSchedule
from adapters.sql.cron_store import SqlCronStore
from application.cron.actions import CronActions
from application.cron.catalog import CronCatalog
from application.cron.runners import HttpJobRunner, QueryEmailRunner, ServiceJobRunner
from application.cron.runs import RunExecutor
from application.cron.scheduler import Scheduler
from entrypoints.lazy_adapters import LazyHttpJobClient, sqlalchemy_database


class CronContainer(containers.DeclarativeContainer):
    config = providers.Configuration()

    clock = providers.Singleton(AsyncioClock)
    schedule = providers.Singleton(CroniterSchedule)
    database = providers.Selector(
        config.transport.db,
        inproc=providers.Singleton(sqlalchemy_database, secrets_dir=config.paths.secrets),
        ipc=providers.Singleton(
            IpcDatabase,
            client=providers.Singleton(IpcClient, path=config.sockets.db, service="sogoms-db", timeout=60.0),
        ),
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = providers.Selector(
        config.transport.logs,
        inproc=file_logs,
        ipc=providers.Singleton(
            FallbackLogSink,
            primary=providers.Singleton(
                IpcLogSink, client=providers.Singleton(IpcClient, path=config.sockets.logs, service="sogoms-logs")
            ),
            fallback=file_logs,
        ),
    )
    mail = providers.Singleton(
        IpcMailer,
        client=providers.Singleton(IpcClient, path=config.sockets.smtp, service="sogoms-smtp", timeout=30.0),
    )
    services = providers.Singleton(IpcServiceCaller, run_dir=config.paths.run)
    http = providers.Singleton(LazyHttpJobClient)
    store = providers.Singleton(SqlCronStore, database=database)
    runners = providers.Dict(
        query_email=providers.Singleton(QueryEmailRunner, database=database, mail=mail),
        http=providers.Singleton(HttpJobRunner, http=http),
        service=providers.Singleton(ServiceJobRunner, services=services),
    )
    executor = providers.Singleton(
        RunExecutor, store=store, runners=runners, clock=clock, logs=logs, owner=config.owner
    )
    catalog = providers.Singleton(CronCatalog)
    scheduler = providers.Singleton(
        Scheduler, catalog=catalog, executor=executor, schedule=schedule, clock=clock, store=store
    )
    actions = providers.Singleton(
        CronActions,
        catalog=catalog,
        executor=executor,
        store=store,
        schedule=schedule,
        clock=clock,
        scheduler=scheduler,
    )
