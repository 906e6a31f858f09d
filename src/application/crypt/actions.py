"""sogoms-crypt's wire actions: batches (`items`) or the seed's one value (`value`, optional table/column/row)."""

from __future__ import annotations

from typing import Any, Protocol

from application.ports.crypt import CipherItem, FieldCipher, Opened
from domain.errors import BadRequest, Unreadable

CRYPT_ACTIONS = ("encrypt", "decrypt", "hash", "rotate_status", "health")  # sogoms-crypt's, on the wire
MAX_ITEMS = 10_000


def _batch(
    action: str, items: list[CipherItem] | None, value: str | None, table: str, column: str, row: str
) -> tuple[list[CipherItem], bool]:
    if items is not None and value is not None:
        raise BadRequest(f"'{action}' takes `items` or `value`, not both")
    if items is None:
        if value is None:
            raise BadRequest(f"'{action}' needs `items` (a list of {{table, column, row, value}}) or `value`")
        return [CipherItem(table, column, row, value)], True
    if len(items) > MAX_ITEMS:
        raise BadRequest(f"'{action}' takes at most {MAX_ITEMS} items per call")
    return items, False


class KeyStatus(Protocol):
    def status(self, app_id: str) -> dict[str, Any]:
        """The app's keyring shape: active key id, every key id, the retiring ones (never key material)."""
        ...


class CryptActions:
    """What sogoms-crypt serves: the FieldCipher port, plus the seed's single-value forms and the keyring state."""

    def __init__(self, cipher: FieldCipher, keys: KeyStatus | None = None) -> None:
        self._cipher, self._keys = cipher, keys

    async def rotate_status(self, app_id: str) -> dict[str, Any]:
        """The keyring as this service uses it now (it re-reads the file when it changes): `active`, `keys`,
        `retiring` (keys that still decrypt, during or after a rotation), `rotating`."""
        if self._keys is None:
            raise BadRequest("this service does not expose its keyring")
        status = self._keys.status(app_id)
        return {**status, "rotating": bool(status.get("retiring"))}

    async def encrypt(
        self,
        app_id: str,
        items: list[CipherItem] | None = None,
        value: str | None = None,
        table: str = "",
        column: str = "",
        row: str = "",
    ) -> Any:
        batch, single = _batch("encrypt", items, value, table, column, row)
        sealed = await self._cipher.encrypt(app_id, batch)
        return {"value": sealed[0]} if single else sealed

    async def decrypt(
        self,
        app_id: str,
        items: list[CipherItem] | None = None,
        value: str | None = None,
        table: str = "",
        column: str = "",
        row: str = "",
    ) -> Any:
        batch, single = _batch("decrypt", items, value, table, column, row)
        opened: Opened = await self._cipher.decrypt(app_id, batch)
        if not single:
            return opened
        if opened.errors:
            raise Unreadable(f"the value cannot be decrypted: {opened.errors['0']}")
        return {"value": opened.values[0]}

    async def hash(
        self,
        app_id: str,
        items: list[CipherItem] | None = None,
        value: str | None = None,
        table: str = "",
        column: str = "",
        row: str = "",
    ) -> Any:
        batch, single = _batch("hash", items, value, table, column, row)
        hashed = await self._cipher.hash(app_id, batch)
        return {"hash": hashed[0]} if single else hashed

    async def health(self) -> dict[str, Any]:
        return await self._cipher.health()
