"""Every SQLite connection stays inside its own file: ATTACH/DETACH, load_extension and setting PRAGMAs refused.

An app's SQL (query files, schema filters, cron jobs) runs on the app's own connection, so what that SQL can name is
the isolation boundary between apps sharing a host: with `ATTACH DATABASE 'other.db'` (or `VACUUM INTO`, which
attaches), one app's SQL could read and write another app's file. sqlite3's authorizer is checked when each statement
is prepared, whatever path the statement took (gateway, cron, admin, CLI, migrations).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.util.concurrency import await_

REFUSED_MESSAGE = "not authorized"  # what SQLite says when the authorizer denies a statement

# PRAGMAs that take an argument only to say what to read (never change a setting)
_READING_WITH_ARGUMENT = frozenset(
    {
        "table_info",
        "table_xinfo",
        "table_list",
        "index_info",
        "index_xinfo",
        "index_list",
        "foreign_key_list",
        "foreign_key_check",
        "integrity_check",
        "quick_check",
    }
)
# settings the platform itself changes on a live connection, harmless to any other database: SQLAlchemy's isolation
# level switch (read_uncommitted, which only matters with a shared cache) and deferring foreign keys to the end of the
# current transaction (the SQLite table rebuild of `schema migrate`)
_SETTABLE = frozenset({"read_uncommitted", "defer_foreign_keys"})
_FUNCTIONS = frozenset({"load_extension"})


def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _trigger: str | None) -> int:
    """sqlite3's authorizer callback: SQLITE_DENY makes the statement fail with 'not authorized'."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if arg2 is None or name in _READING_WITH_ARGUMENT or name in _SETTABLE:
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in _FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _install(dbapi_conn: Any, _record: Any) -> None:
    # runs after the engine's own connect-time PRAGMAs (listeners fire in the order they were added)
    await_(dbapi_conn.driver_connection.set_authorizer(authorize))


def guard(engine: Engine) -> None:
    """Install the authorizer on every connection `engine` (the sync engine of an aiosqlite engine) opens."""
    event.listen(engine, "connect", _install)
