"""Reach databases for the admin: a connection test before an app exists, and in-process introspection."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from application.admin.ports import DbTarget
from domain.app import App, DatabaseSettings
from domain.errors import Unavailable
from domain.schema import Schema

from ..config.schema_writer import schema_text
from ..sql.database import SqlAlchemyDatabase


def target_url(target: DbTarget, data_dir: Path) -> URL:
    if target.kind == "sqlite":
        return URL.create("sqlite+aiosqlite", database=str((Path(data_dir) / target.sqlite_file).resolve()))
    return URL.create(
        "mysql+asyncmy",
        username=target.user,
        password=target.password or None,
        host=target.host,
        port=target.port,
        database=target.name,
        query={"charset": "utf8mb4"},
    )


class SqlDatabaseProbe:
    """Implements DatabaseProbe with SQLAlchemy (asyncmy, aiosqlite) and the system resolver."""

    def __init__(self, data_dir: Path, timeout: float = 5.0) -> None:
        self._data_dir = Path(data_dir)
        self._timeout = timeout

    async def resolve(self, host: str) -> list[str]:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return []
        return sorted({str(info[4][0]) for info in infos})

    async def check(self, target: DbTarget) -> None:
        if target.kind == "sqlite":
            self._data_dir.mkdir(parents=True, exist_ok=True)
            args: dict[str, object] = {"timeout": self._timeout}
        else:
            args = {"connect_timeout": max(1, int(self._timeout))}
        engine = create_async_engine(target_url(target, self._data_dir), connect_args=args, pool_pre_ping=False)
        try:
            async with asyncio.timeout(self._timeout + 1):
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
        except TimeoutError:
            raise Unavailable("the database did not answer in time") from None
        except Exception as exc:  # noqa: BLE001 - whatever the driver says is the operator's answer
            orig = getattr(exc, "orig", None) or exc
            raise Unavailable(str(orig)[:300] or type(orig).__name__) from None
        finally:
            await engine.dispose()


class InprocAppDatabases:
    """Implements AppDatabases over an in-process SqlAlchemyDatabase (pools kept while settings stay the same)."""

    def __init__(self, database: SqlAlchemyDatabase) -> None:
        self._db = database
        self._known: dict[str, DatabaseSettings] = {}

    async def use(self, apps: list[App]) -> None:
        wanted = {**self._known, **{a.name: a.settings.database for a in apps}}
        if wanted != self._known:
            self._known = wanted
            await self._db.configure(wanted)


class YamlSchemaText:
    """Implements SchemaText with the `sogoms schema generate` writer."""

    def text(self, schema: Schema, header: str) -> str:
        return schema_text(schema, header)
