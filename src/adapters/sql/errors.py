"""Database exceptions turned into domain errors that say what was wrong, never showing SQL."""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import exc as sa_exc

from domain.errors import Conflict, DatabaseError, DomainError, FieldError, Forbidden, InvalidInput, Unavailable

log = logging.getLogger("sogoms.db")

WRITE_CONFLICT = 1213  # a deadlock, or on Galera a write set that lost certification: rolled back, safe to run again
NODE_NOT_READY = 1047  # Galera: this node is not in the primary component (or still joining): nothing was run
_MYSQL_UNAVAILABLE = {NODE_NOT_READY, 1040, 1053, 1205, 2002, 2003, 2005, 2006, 2013, 2055, 1927, 4031}
_MYSQL_DENIED = {1044, 1142, 1143, 1227, 1370}  # the app's account lacks the privilege (another database, SUPER...)
SQLITE_REFUSED = (
    "The statement was refused: an app's SQL may not attach another database, load an extension or change a PRAGMA "
    "setting"
)
_MYSQL_COLUMN = re.compile(r"column [`']?(?:[^`']*[`']?\.[`']?)*([A-Za-z0-9_]+)[`']?", re.IGNORECASE)


def _mysql_column(message: str) -> str:
    m = _MYSQL_COLUMN.search(message)
    return m.group(1) if m else "value"


def _unique_field(message: str) -> str | None:
    m = re.search(r"UNIQUE constraint failed: (.+)$", message)
    if m:
        return ", ".join(part.strip().split(".")[-1] for part in m.group(1).split(","))
    m = re.search(r"for key '(?:[A-Za-z0-9_]+\.)?([A-Za-z0-9_]+)'", message)
    return m.group(1) if m else None


def mysql_code(error: BaseException) -> int | None:
    """The MariaDB error number behind a driver/SQLAlchemy exception, if there is one."""
    args = getattr(getattr(error, "orig", None) or error, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def translate(error: BaseException, app: str, action: str = "") -> DomainError:
    """The domain error for a driver/SQLAlchemy exception (details go to the log, not the client)."""
    if isinstance(error, DomainError):
        return error
    if isinstance(error, sa_exc.TimeoutError | TimeoutError | ConnectionError):
        return Unavailable("The database is not answering")
    orig = getattr(error, "orig", None) or error
    args: tuple[Any, ...] = getattr(orig, "args", ())
    code = mysql_code(error)
    message = str(args[1]) if len(args) > 1 else str(orig)
    if code == WRITE_CONFLICT:
        return Conflict("The record was being changed by another request at the same moment; try again")
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return Unavailable("The database connection was lost")
    if isinstance(error, sa_exc.IntegrityError):
        if code == 1062 or "UNIQUE constraint failed" in message:
            field = _unique_field(message)
            return Conflict(f"A record with this {field} already exists" if field else Conflict.default_message)
        if code == 1451 or ("FOREIGN KEY constraint failed" in message and action == "delete"):
            return Conflict("Other records still refer to this one")
        if code == 1452 or "FOREIGN KEY constraint failed" in message:
            m = re.search(r"FOREIGN KEY \(`([A-Za-z0-9_]+)`\)", message)
            return InvalidInput(
                [FieldError(m.group(1) if m else "reference", "refers to a record that does not exist")]
            )
        if code == 1048 or "NOT NULL constraint failed" in message:
            m = re.search(r"NOT NULL constraint failed: [A-Za-z0-9_]+\.([A-Za-z0-9_]+)", message)
            field = m.group(1) if m else _mysql_column(message)
            return InvalidInput([FieldError(field, "is required")])
        if code == 1364:
            return InvalidInput([FieldError(_mysql_column(message.replace("Field", "column")), "is required")])
        if "CHECK constraint failed" in message or code in (4025, 3819):
            return InvalidInput([FieldError("value", "breaks a constraint of the table")])
    if isinstance(error, sa_exc.DataError | sa_exc.OperationalError | sa_exc.IntegrityError):
        if code in (1366, 1292, 1265, 1367, 1264):
            return InvalidInput([FieldError(_mysql_column(message), "has a value of the wrong type or range")])
        if code == 1406:
            return InvalidInput([FieldError(_mysql_column(message), "is too long")])
        if code == 3140:
            return InvalidInput([FieldError("value", "is not valid JSON")])
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError):
        if code in _MYSQL_UNAVAILABLE or "database is locked" in message or "unable to open" in message:
            return Unavailable("The database is busy or unreachable")
        if code is None and "Can't connect" in message:
            return Unavailable("The database is unreachable")
    if isinstance(error, OSError):
        return Unavailable("The database is unreachable")
    if code in _MYSQL_DENIED:
        log.warning("database refused a statement of app %s: %s", app, message)
        return Forbidden("The app's database account may not do this (it reaches outside the app's own database)")
    if code is None and message.startswith(("not authorized", "authorization denied")):  # sqlite_guard's authorizer
        log.warning("refused a statement of app %s: %s", app, getattr(error, "statement", "") or "")
        return Forbidden(SQLITE_REFUSED)
    log.error(
        "database error for app %s: %s: %s; statement: %s",
        app,
        type(orig).__name__,
        message,
        getattr(error, "statement", "") or "",
    )
    return DatabaseError("Database error")
