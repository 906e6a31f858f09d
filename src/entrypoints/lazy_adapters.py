"""Adapters that pull heavy libraries, imported only when a composition root really picks them.

A service configured with `--db ipc` then never loads SQLAlchemy and the database drivers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def sqlalchemy_database(secrets_dir: str | Path, settings: Any = None) -> Any:
    from adapters.sql.database import SqlAlchemyDatabase

    return SqlAlchemyDatabase(Path(secrets_dir), settings)


class LazyHttpJobClient:
    """The HttpClient port of cron's `http` jobs; httpx is loaded at the first such job, not at start."""

    def __init__(self) -> None:
        self._client: Any = None

    async def request(
        self, method: str, url: str, *, headers: dict[str, str], body: Any, timeout: float, allow_private: bool
    ) -> Any:
        if self._client is None:
            from adapters.http_jobs.client import HttpxJobClient

            self._client = HttpxJobClient()
        return await self._client.request(
            method, url, headers=headers, body=body, timeout=timeout, allow_private=allow_private
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()


def inproc_mail_stack(config: dict[str, Any], database: Any, logs: Any) -> Any:
    """The whole mail stack (outbox, templates, delivery loop) for `transport.smtp: inproc` in the gateway."""
    from dependency_injector import providers

    from entrypoints.smtp_service.container import Mail

    stack = Mail(database=providers.Object(database), logs=providers.Object(logs))
    stack.config.from_dict(config)
    return stack
