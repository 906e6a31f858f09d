"""One async engine and pool per app, built from its `database:` settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.config.secrets import read_secret
from domain.app import DatabaseSettings
from domain.durations import parse_duration
from domain.errors import ConfigError


def database_url(settings: DatabaseSettings, secrets_dir: Path, app: str) -> URL:
    """The SQLAlchemy URL: `url` as given (sync drivers swapped for async ones), or built from the seed's fields."""
    if settings.url:
        try:
            url = make_url(settings.url)
        except Exception:  # noqa: BLE001
            raise ConfigError(f"app {app}: database.url is not a valid database URL") from None
        backend = url.get_backend_name()
        if backend == "sqlite":
            url = url.set(drivername="sqlite+aiosqlite")
        elif backend in ("mysql", "mariadb"):
            url = url.set(drivername="mysql+asyncmy")
            if "charset" not in url.query:
                url = url.update_query_dict({"charset": "utf8mb4"})
        else:
            raise ConfigError(f"app {app}: database backend {backend!r} is not supported (sqlite or mysql/mariadb)")
        return url
    password = (
        read_secret(secrets_dir, settings.password_file, f"app {app} database").decode()
        if settings.password_file
        else None
    )
    return URL.create(
        "mysql+asyncmy",
        username=settings.user or None,
        password=password,
        host=settings.host,
        port=settings.port,
        database=settings.name,
        query={"charset": "utf8mb4"},
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def create_engine(settings: DatabaseSettings, secrets_dir: Path, app: str) -> AsyncEngine:
    url = database_url(settings, secrets_dir, app)
    timeout = parse_duration(settings.pool_timeout)
    if url.get_backend_name() == "sqlite":
        db = url.database or ""
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_timeout=timeout,
            connect_args={"timeout": 5},
            **_AUTOCOMMIT,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    statement_timeout = parse_duration(settings.statement_timeout)
    return create_async_engine(
        url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=timeout,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": max(1, int(timeout)),
            "init_command": f"SET SESSION max_statement_time={statement_timeout:g}, time_zone='+00:00'",
        },
        **_AUTOCOMMIT,
    )


# The pool's connections autocommit: a statement is one round trip, a read opens no transaction (so none has to be
# rolled back when the connection goes back to the pool: no reset, no extra round trip). Work that needs several
# statements to stand or fall together takes a real transaction with `transaction()`.
_AUTOCOMMIT: dict[str, Any] = {"isolation_level": "AUTOCOMMIT", "pool_reset_on_return": None}
_TRANSACTIONAL = {"mysql": "REPEATABLE READ", "sqlite": "SERIALIZABLE"}


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside one transaction: committed when the block ends, rolled back if it raises.

    The connection's isolation level is set for this block only; SQLAlchemy restores autocommit at check-in.
    """
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level=_TRANSACTIONAL.get(engine.dialect.name, "SERIALIZABLE"))
        async with conn.begin():
            yield conn
