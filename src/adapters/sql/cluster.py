"""MariaDB Galera on an engine: failover between nodes and causal reads, as SQLAlchemy connect events.

Connections are pooled, so this costs a round trip or two per *new* connection, never per statement.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("sogoms.db")

UNKNOWN_VARIABLE = 1193


def _code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _run(dbapi_conn: Any, sql: str) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(sql)
        if cursor.description:
            cursor.fetchall()
    finally:
        cursor.close()


def causal_reads(engine: AsyncEngine) -> None:
    """Every read of this engine's sessions waits until the node has applied every write set the cluster
    committed before it (wsrep_sync_wait=1): a write acknowledged through any node is seen. Servers without
    Galera accept and ignore the setting; one that does not know it is left as it is."""

    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        try:
            _run(dbapi_conn, "SET SESSION wsrep_sync_wait = 1")
        except Exception as exc:
            if _code(exc) != UNKNOWN_VARIABLE:
                raise

    event.listen(engine.sync_engine, "connect", on_connect)


# A Galera node outside the primary component still answers `SELECT 1`, but refuses every table (error 1047):
# its readiness is read instead. On a server without Galera, wsrep_on is 0: ready.
_READY = (
    "SELECT @@wsrep_on = 0 OR (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
    "WHERE VARIABLE_NAME = 'WSREP_READY') = 'ON'"
)


def _ready(dbapi_conn: Any) -> bool:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute(_READY)
        row = cursor.fetchone()
    finally:
        cursor.close()
    return bool(row and row[0])


def failover(engine: AsyncEngine, app: str, nodes: tuple[tuple[str, int], ...]) -> None:
    """New connections go to the URL's host, else to each of `nodes` in turn: the first that accepts the
    connection and is ready (a Galera node in the primary component, or a server without Galera) is used."""

    last: dict[str, str] = {}

    def do_connect(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        candidates = [(cparams.get("host", "localhost"), int(cparams.get("port", 3306))), *nodes]
        failures: list[BaseException] = []
        skipped: list[str] = []
        for host, port in candidates:
            where = f"{host}:{port}"
            try:
                conn = dialect.connect(*cargs, **{**cparams, "host": host, "port": port})
            except Exception as exc:  # noqa: BLE001 - unreachable: try the next node
                failures.append(exc)
                skipped.append(f"{where} ({exc})")
                continue
            try:
                ready = _ready(conn)
            except Exception as exc:  # noqa: BLE001 - it could not even tell: next node
                ready, failures = False, [*failures, exc]
            if not ready:
                conn.close()
                skipped.append(f"{where} (not ready: outside the cluster's primary component)")
                continue
            if last.get("node") != where:
                if last or skipped:
                    log.warning(
                        "database of %s: now connected to %s; skipped %s", app, where, "; ".join(skipped) or "none"
                    )
                last["node"] = where
            return conn
        if failures:
            raise failures[0]
        raise dialect.loaded_dbapi.OperationalError(1047, f"no node ready among {', '.join(skipped)}")

    event.listen(engine.sync_engine, "do_connect", do_connect)
