"""sogoms-smtp's composition root: the mail stack over the app databases and logs, in-process or through services."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.logs.jsonlines import JsonLinesLogSink
from entrypoints.wiring import transports
from entrypoints.wiring.mail import Mail


class SmtpService(containers.DeclarativeContainer):
    """`sogoms-smtp`: the app databases in-process (SQLAlchemy) or through sogoms-db; logs likewise."""

    config = providers.Configuration()
    database_settings: providers.Object[dict[str, Any]] = providers.Object({})

    database = transports.database(
        config.db,
        secrets=config.paths.secrets,
        settings=database_settings,
        socket=config.sockets.db,
        pool_size=4,
        timeout=30.0,
    )
    file_logs = providers.Singleton(JsonLinesLogSink, log_dir=config.paths.logs)
    logs = transports.logs(config.logs, files=file_logs, socket=config.sockets.logs)
    mail = providers.Container(Mail, config=config.mail, database=database, logs=logs)
