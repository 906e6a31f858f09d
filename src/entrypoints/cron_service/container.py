"""sogoms-cron's composition root: which adapter serves each port (database and logs inproc or ipc)."""

from __future__ import annotations

from dependency_injector import containers, providers

from adapters.clock import AsyncioPause, SystemClock
from adapters.config.apps import YamlAppTables
from adapters.ipc.mail import IpcMailer
from adapters.ipc.services import IpcServiceCaller
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.schedule.croniter_schedule import CroniterSchedule
from adapters.sql.cron_store import SqlCronStore
from application.cron.actions import CronActions
from application.cron.catalog import CronCatalog
from application.cron.runners import HttpJobRunner, QueryEmailRunner, ServiceJobRunner
from application.cron.runs import RunExecutor
from application.cron.scheduler import Scheduler
from application.crypt.fields import FieldSealer
from entrypoints.wiring import transports
from entrypoints.wiring.lazy import LazyCipher, LazyHttpJobClient


class CronContainer(containers.DeclarativeContainer):
    config = providers.Configuration()

    clock = providers.Singleton(SystemClock)
    pause = providers.Singleton(AsyncioPause)
    schedule = providers.Singleton(CroniterSchedule)
    database = transports.database(
        config.transport.db, secrets=config.paths.secrets, socket=config.sockets.db, timeout=60.0
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = transports.logs(config.transport.logs, files=file_logs, socket=config.sockets.logs)
    mail = providers.Singleton(
        IpcMailer, client=transports.ipc_client(config.sockets.smtp, "sogoms-smtp", timeout=30.0)
    )
    services = providers.Singleton(IpcServiceCaller, run_dir=config.paths.run)
    http = providers.Singleton(LazyHttpJobClient)
    store = providers.Singleton(SqlCronStore, database=database)
    runners = providers.Dict(
        query_email=providers.Singleton(
            QueryEmailRunner,
            database=database,
            mail=mail,
            sealer=providers.Singleton(
                FieldSealer,
                cipher=providers.Singleton(
                    LazyCipher, config_dir=config.paths.config, secrets_dir=config.paths.secrets
                ),
                logs=logs,
            ),
            tables=providers.Singleton(YamlAppTables, config_dir=config.paths.config, secrets_dir=config.paths.secrets),
        ),
        http=providers.Singleton(HttpJobRunner, http=http),
        service=providers.Singleton(ServiceJobRunner, services=services),
    )
    executor = providers.Singleton(
        RunExecutor, store=store, runners=runners, clock=clock, pause=pause, logs=logs, owner=config.owner
    )
    catalog = providers.Singleton(CronCatalog)
    scheduler = providers.Singleton(
        Scheduler, catalog=catalog, executor=executor, schedule=schedule, clock=clock, pause=pause, store=store
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
