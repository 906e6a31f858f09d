"""A SQL statement with named `:param` placeholders and the values bound to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Statement:
    sql: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WriteResult:
    affected_rows: int = 0
    insert_id: int | None = None


Row = dict[str, Any]
