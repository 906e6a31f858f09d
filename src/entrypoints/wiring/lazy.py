"""Adapters that pull heavy libraries, imported only when a composition root really picks them.

A service configured with `--db ipc` then never loads SQLAlchemy and the database drivers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("sogoms.crypt")


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

    from entrypoints.wiring.mail import Mail

    stack = Mail(database=providers.Object(database), logs=providers.Object(logs))
    stack.config.from_dict(config)
    return stack


def _app_settings(repo: Any, config: Path, app_id: str) -> Any:
    """One app's settings (its key file names). Its app.yaml may be broken on disk while the process still serves
    the version it loaded (a refused reload): then the default key file names, which `secrets init` writes."""
    from domain.app import AppSettings, DatabaseSettings
    from domain.errors import ConfigError

    folder = config / "apps" / app_id
    if not folder.is_dir():
        return None
    try:
        return repo.load_settings(folder)
    except ConfigError as exc:
        log.warning(
            "app %s: app.yaml unreadable (%s); field encryption uses the default key files", app_id, exc.message
        )
        return AppSettings(app=app_id, hosts=(f"{app_id}.invalid",), database=DatabaseSettings(url="sqlite://"))


class LazyCipher:
    """The FieldCipher port in-process: AES-GCM (OpenSSL) is loaded at the first encrypted value, not at start,
    and each app's key files are found from its app.yaml (read again when an app appears)."""

    def __init__(self, config_dir: str | Path, secrets_dir: str | Path) -> None:
        self._config, self._secrets = Path(config_dir), Path(secrets_dir)
        self._cipher: Any = None

    def _get(self) -> Any:
        if self._cipher is None:
            from adapters.config.apps import YamlAppRepository
            from adapters.crypt.aesgcm import AesGcmCipher

            repo = YamlAppRepository(self._config, self._secrets)
            self._cipher = AesGcmCipher(self._secrets, resolve=lambda app_id: _app_settings(repo, self._config, app_id))
        return self._cipher

    async def encrypt(self, app_id: str, items: list[Any]) -> list[str]:
        result: list[str] = await self._get().encrypt(app_id, items)
        return result

    async def decrypt(self, app_id: str, items: list[Any]) -> Any:
        return await self._get().decrypt(app_id, items)

    async def hash(self, app_id: str, items: list[Any]) -> list[str]:
        result: list[str] = await self._get().hash(app_id, items)
        return result

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._get().health()
        return result
