"""One async engine and pool per app, built from its `database:` settings."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.config.secrets import read_secret
from domain.app import DatabaseSettings
from domain.durations import parse_duration
from domain.errors import ConfigError

from . import cluster, sqlite_guard
from .errors import NODE_NOT_READY, WRITE_CONFLICT, mysql_code


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
            url = url.set(drivername="mysql+asyncmy").difference_update_query(["failover"])  # ours, not the driver's
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


def create_engine(settings: DatabaseSettings, secrets_dir: Path, app: str, *, probe: bool = False) -> AsyncEngine:
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
        sqlite_guard.guard(engine.sync_engine)
        return engine
    statement_timeout = parse_duration(settings.statement_timeout)
    # probe: one connection per use, outside the pool (that hung statements may fill), to ask "are you there?"
    pooling: dict[str, Any] = (
        {"poolclass": NullPool}
        if probe
        else {
            "pool_size": settings.pool_size,
            "max_overflow": settings.max_overflow,
            "pool_timeout": timeout,
            "pool_recycle": 1800,
        }
    )
    engine = create_async_engine(
        url,
        connect_args={
            "connect_timeout": 1 if probe else max(1, int(timeout)),
            "init_command": f"SET SESSION max_statement_time={statement_timeout:g}, time_zone='+00:00'",
        },
        **pooling,
        **_AUTOCOMMIT,
    )
    if settings.failover_hosts:
        cluster.failover(engine, app, settings.failover_hosts)
    if settings.causal_reads and not probe:
        # the probe asks "are you there?", not "are you caught up?": with causal reads its SELECT 1 would wait for a
        # node that has just rejoined the cluster to apply its backlog, and a live node would be taken for silent
        cluster.causal_reads(engine)
    return engine


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


CONFLICT_RETRIES = 4  # on top of the server's own retry of an autocommit statement (wsrep_retry_autocommit)
T = TypeVar("T")


def may_run_again(exc: BaseException, action: str, attempt: int) -> bool:
    """Whether failed work may run again: only when it certainly did not take effect.

    A write conflict (deadlock, Galera certification failure) rolled it back; a Galera node not ready refused
    it before running it; a read that lost its connection changed nothing. A write that lost its connection may
    or may not have committed: it is never repeated (the caller gets 503 and decides).
    """
    code = mysql_code(exc)
    if code == WRITE_CONFLICT:
        return attempt <= CONFLICT_RETRIES
    if attempt > 1:
        return False
    if code == NODE_NOT_READY:
        return True
    return action in ("query", "query_one") and bool(getattr(exc, "connection_invalidated", False))


async def retrying(work: Callable[[], Awaitable[T]], action: str) -> T:
    """`work()`, run again after a short random pause while `may_run_again` allows (action: query, query_one,
    insert, update, delete or transaction)."""
    attempt = 0
    while True:
        try:
            return await work()
        except Exception as exc:
            attempt += 1
            if not may_run_again(exc, action, attempt):
                raise
            await asyncio.sleep(random.uniform(0.005, 0.02) * attempt)
