"""DatabaseProbe: a connection test of a database before an app uses it, and which apps already share it."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine

from application.admin.ports import DbTarget
from domain.app import DatabaseSettings
from domain.errors import Unavailable

from . import sqlite_guard
from .places import DatabasePlace, mysql_place, place_of, sqlite_place


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
        if target.kind == "sqlite":
            sqlite_guard.guard(engine.sync_engine)
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

    def sharing(self, target: DbTarget, apps: dict[str, DatabaseSettings]) -> tuple[list[str], list[str]]:
        wanted = target_place(target, self._data_dir)
        same_db, same_account = [], []
        for app, settings in sorted(apps.items()):
            p = place_of(settings)
            if p.dialect != wanted.dialect:
                continue
            if (p.dialect == "sqlite" and p.file == wanted.file) or (
                p.dialect == "mysql" and (p.server, p.name) == (wanted.server, wanted.name)
            ):
                same_db.append(app)
            elif p.dialect == "mysql" and p.user and (p.server, p.user) == (wanted.server, wanted.user):
                same_account.append(app)
        return same_db, same_account


def target_place(target: DbTarget, data_dir: Path) -> DatabasePlace:
    if target.kind == "sqlite":
        return sqlite_place(data_dir, target.sqlite_file)
    return mysql_place(target.host, target.port, target.name, target.user)
