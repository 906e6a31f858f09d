"""One statement on the driver's own connection: `:name` parameters in the driver's style, JSON values encoded,
rows as dicts, errors as SQLAlchemy's DBAPIError family (the hot path of every route; see engines.py)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

import msgspec
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from domain.query.sql_text import parameter_positions
from domain.query.statement import WriteResult

from .errors import NODE_NOT_READY, mysql_code

if TYPE_CHECKING:  # the DB-API error class SQLAlchemy's dialects are typed with (exc is one: it was wrapped)
    from sqlalchemy.engine.interfaces import DBAPIModule

_json = msgspec.json.Encoder()
_PYFORMAT: dict[str, str] = {}


def _pyformat(sql: str) -> str:
    """`:name` placeholders as the MySQL drivers' `%(name)s` (literal `%` doubled), memoised per statement."""
    converted = _PYFORMAT.get(sql)
    if converted is None:
        marks = parameter_positions(sql)
        out, last = [], 0
        for pos, name in marks:
            out.append(sql[last:pos].replace("%", "%%"))
            out.append(f"%({name})s")
            last = pos + 1 + len(name)
        out.append(sql[last:].replace("%", "%%"))
        converted = "".join(out)
        if len(_PYFORMAT) > 4096:
            _PYFORMAT.clear()
        _PYFORMAT[sql] = converted
    return converted


def param(value: Any) -> Any:
    """Lists and objects (JSON fields) are stored as JSON text."""
    if isinstance(value, dict | list):
        return _json.encode(value).decode()
    return value


async def execute(engine: AsyncEngine, sql: str, params: dict[str, Any], action: str) -> Any:
    """One statement on the driver's own connection, checked out of the engine's pool (autocommit, see engines.py).

    The hot path of every route: no SQLAlchemy result machinery, no connection wrapper, no reset round trip. Errors
    come out as SQLAlchemy's DBAPIError family (for `translate`), and a connection found dead is dropped from the pool.
    """
    try:
        fairy = await greenlet_spawn(engine.sync_engine.pool.connect)
    except sa_exc.SQLAlchemyError:
        raise
    except Exception as exc:  # the driver could not connect: SQLAlchemy's wrapper, as engine.connect() would raise
        if isinstance(exc, engine.dialect.loaded_dbapi.Error):
            raise sa_exc.DBAPIError.instance(None, None, exc, engine.dialect.loaded_dbapi.Error) from exc
        # not a driver error: the connection broke mid-handshake (asyncmy's "Transport does not expose socket
        # instance" when the server resets it): the database cannot be reached, as for a refused connection
        raise ConnectionError(f"could not connect to the database: {exc}") from exc
    try:
        driver: Any = fairy.driver_connection
        if engine.dialect.name == "sqlite":
            try:
                cursor = await driver.execute(sql, params)
            except asyncio.CancelledError:
                await driver.interrupt()  # SQLite runs in aiosqlite's thread: stop the statement there too
                raise
            try:
                return await _collect(cursor, action)
            finally:
                await cursor.close()
        async with driver.cursor() as cursor:
            await cursor.execute(_pyformat(sql), params)
            return await _collect(cursor, action)
    except asyncio.CancelledError:
        # stopped mid-statement (the client went away, a timeout): the connection may still owe the server a
        # reply, so it is closed rather than handed to the next request
        await greenlet_spawn(fairy.invalidate)
        raise
    except Exception as exc:
        wrapped = sa_exc.DBAPIError.instance(sql, params, exc, engine.dialect.loaded_dbapi.Error)
        if isinstance(wrapped, sa_exc.DBAPIError) and (
            engine.dialect.is_disconnect(cast("DBAPIModule.Error", exc), fairy, None)
            or mysql_code(exc) == NODE_NOT_READY
        ):
            # the server went away (or a Galera node left the primary component): so did every connection the
            # pool holds to it, so all of them are replaced (as SQLAlchemy's own engine does), not one per request
            await greenlet_spawn(engine.sync_engine.pool._invalidate, fairy, exc)
            wrapped.connection_invalidated = True
        raise wrapped from exc
    finally:
        await greenlet_spawn(fairy.close)


async def _collect(cursor: Any, action: str) -> Any:
    if action == "query":
        rows = await cursor.fetchall()
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, r)) for r in rows]  # noqa: B905 - DB-API rows are as long as the description
    if action == "query_one":
        row = await cursor.fetchone()
        names = [d[0] for d in cursor.description or ()]
        return dict(zip(names, row)) if row is not None else None  # noqa: B905 - as long as the description
    insert_id = cursor.lastrowid if action == "insert" else None
    return WriteResult(affected_rows=max(cursor.rowcount, 0), insert_id=insert_id or None)
