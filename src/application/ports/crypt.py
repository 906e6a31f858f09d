"""The field-cipher port: encrypt, decrypt and blind-index field values of an app (sogoms-crypt's actions).

In-process (AES-256-GCM with the app's keys) or over IPC to sogoms-crypt; calls are batched (a page of
rows is one call). Keys never leave the adapter; callers see only stored forms and plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class CipherItem:
    """One value of one column of one row. `row` is the row's key as text ("" while it has none yet)."""

    table: str
    column: str
    row: str
    value: str


@dataclass(frozen=True, slots=True)
class Opened:
    """Decrypted values, in order; a value that did not decrypt is None with its reason in `errors`."""

    values: list[str | None]
    errors: dict[str, str] = field(default_factory=dict)  # item index (as text, as on the wire) -> reason


class FieldCipher(Protocol):
    async def encrypt(self, app_id: str, items: list[CipherItem]) -> list[str]:
        """The stored form of each value, under the app's active key: bound to its row, or pending when
        `row` is ""."""
        ...

    async def decrypt(self, app_id: str, items: list[CipherItem]) -> Opened:
        """Each stored value opened with the key its id names; a pending value is opened as pending."""
        ...

    async def hash(self, app_id: str, items: list[CipherItem]) -> list[str]:
        """The blind index of each value (HMAC-SHA256 under the app's separate index key, hex)."""
        ...

    async def health(self) -> dict[str, Any]: ...
