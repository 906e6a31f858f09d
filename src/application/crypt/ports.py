"""Ports of the crypt feature as other features see it: sealing a table's encrypted fields, re-sealing them, keyrings.

Implemented by `FieldSealer` (fields.py) and `Resealer` (reseal.py); the composition roots pass them in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.query.listing import Condition
from domain.query.statement import Row
from domain.schema.model import Schema, Table


class FieldSealing(Protocol):
    """Every write seals a table's `encrypted: true` fields, every read opens them (a table with none passes)."""

    async def seal(self, app_id: str, table: Table | None, values: dict[str, Any], key: Any) -> dict[str, Any]:
        """`values` as stored: each encrypted field's value sealed (bound to the row `key`, pending when None),
        its blind index in the sibling column. Values of other fields are passed through."""
        ...

    def needs_binding(self, table: Table | None, values: dict[str, Any]) -> bool:
        """Whether an insert without its row key wrote pending values that must be bound once the key is known."""
        ...

    async def bound(self, app_id: str, table: Table, values: dict[str, Any], key: Any) -> dict[str, Any]:
        """The encrypted fields of `values` sealed to the row `key`."""
        ...

    async def index(self, app_id: str, table: Table, name: str, value: Any) -> str:
        """The blind index of one plain value of `table.name` (what equality and login compare)."""
        ...

    async def open(self, app_id: str, table: Table | None, rows: list[Row], key_column: str | None = None) -> None:
        """Decrypt, in place, the encrypted fields present in `rows`; UNREADABLE_DATA when a value does not open."""
        ...

    async def conditions(self, app_id: str, table: Table, conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
        """List filters on encrypted fields: equality on a blind-indexed field compares its index; others refused."""
        ...


class Keyrings(Protocol):
    """An app's keyring as rotation sees it: ids only, never key material."""

    def key_ids(self, app_id: str) -> tuple[str, ...]: ...

    def active(self, app_id: str) -> str: ...

    def add_key(self, app_id: str) -> str:
        """A new random key, made the active one (every other key still decrypts); its id."""
        ...

    def retire(self, app_id: str, key_ids: tuple[str, ...]) -> None:
        """Remove these keys (never the active one)."""
        ...


@dataclass
class ResealReport:
    rewritten: int = 0
    skipped: int = 0  # changed by someone else meanwhile (the API wrote it under the active key)
    unreadable: list[str] = field(default_factory=list)  # table.column#row that does not decrypt (left as it is)


class Resealing(Protocol):
    """An app's encrypted columns counted by key, and re-sealed in batches under the active key."""

    async def status(self, app_id: str, schema: Schema) -> dict[str, Counter[str]]:
        """`table.column` -> stored values per key id (and `plain`, `pending`)."""
        ...

    async def reseal(self, app_id: str, schema: Schema, active: str) -> ResealReport:
        """One pass over every encrypted column: plain, pending and other-key values re-written under `active`."""
        ...
