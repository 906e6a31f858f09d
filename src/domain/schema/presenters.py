"""How a stored value is shown by the API, the same on every database: bools, JSON, ISO dates, numbers."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.schema.field import FieldType


def _bool(v: Any) -> Any:
    return bool(v) if isinstance(v, int) else v


def _json(v: Any) -> Any:
    if isinstance(v, str | bytes):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def _datetime(v: Any) -> Any:
    """Stored date-times are UTC (inputs are converted); shown as RFC 3339 with `Z`."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = v.astimezone(UTC).replace(tzinfo=None)
        # isoformat() is a quarter faster than with timespec, and the same when there is no fraction (the common case)
        return (v.isoformat() if not v.microsecond else v.isoformat(timespec="seconds")) + "Z"
    if isinstance(v, str) and len(v) >= 19 and v[10] in " T" and v[4] == "-":
        return v[:10] + "T" + v[11:19] + "Z"
    return v


def _date(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def _float(v: Any) -> Any:
    return float(v) if isinstance(v, Decimal | int) and not isinstance(v, bool) else v


PRESENTERS: dict[FieldType, Callable[[Any], Any]] = {
    FieldType.BOOL: _bool,
    FieldType.JSON: _json,
    FieldType.DATETIME: _datetime,
    FieldType.DATE: _date,
    FieldType.FLOAT: _float,
}
