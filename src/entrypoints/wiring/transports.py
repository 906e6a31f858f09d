"""The ports several binaries serve in-process or through a service (`inproc` or `ipc`): one spelling of each choice.

Each function returns a provider to declare in a container; its arguments are that container's config entries
(or other providers), so every binary keeps its own timeouts and pool sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dependency_injector import providers

from adapters.ipc.client import IpcClient
from adapters.ipc.database import IpcDatabase
from adapters.ipc.logs import IpcLogSink
from adapters.logs.fallback import FallbackLogSink
from domain.app import DatabaseSettings

from .lazy import sqlalchemy_database


def ipc_client(path: Any, service: str, **options: Any) -> providers.Singleton[IpcClient]:
    """One client of `service` on the socket at `path` (options: timeout, pool_size, connect_wait, observer)."""
    return providers.Singleton(IpcClient, path=path, service=service, **options)


def database(choice: Any, *, secrets: Any, socket: Any, settings: Any = None, **client: Any) -> providers.Selector[Any]:
    """The Database port: SQLAlchemy in this process (`inproc`, loaded only then) or sogoms-db (`ipc`)."""
    inproc: dict[str, Any] = (
        {"secrets_dir": secrets} if settings is None else {"secrets_dir": secrets, "settings": settings}
    )
    return providers.Selector(
        choice,
        inproc=providers.Singleton(sqlalchemy_database, **inproc),
        ipc=providers.Singleton(IpcDatabase, client=ipc_client(socket, "sogoms-db", **client)),
    )


def logs(choice: Any, *, files: Any, socket: Any, **client: Any) -> providers.Selector[Any]:
    """The LogSink port: the log files (`inproc`) or sogoms-logs, falling back to the files when it is down (`ipc`)."""
    return providers.Selector(
        choice,
        inproc=files,
        ipc=providers.Singleton(
            FallbackLogSink,
            primary=providers.Singleton(IpcLogSink, client=ipc_client(socket, "sogoms-logs", **client)),
            fallback=files,
        ),
    )


async def configure_database(database: object, settings: Mapping[str, DatabaseSettings]) -> None:
    """Hand the apps' database settings to an in-process database (`inproc`); sogoms-db (`ipc`) reads its own."""
    configure = getattr(database, "configure", None)
    if configure is not None:
        await configure(settings)
