"""Client adapter: the FieldCipher port over IPC (the other side of sogoms-crypt)."""

from __future__ import annotations

from typing import Any

import msgspec

from application.ports.crypt import CipherItem, Opened

from .client import IpcClient


def _items(items: list[CipherItem]) -> list[dict[str, str]]:
    return [{"table": i.table, "column": i.column, "row": i.row, "value": i.value} for i in items]


class IpcCipher:
    """Implements FieldCipher by calling sogoms-crypt (one call per batch of values)."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def encrypt(self, app_id: str, items: list[CipherItem]) -> list[str]:
        result: list[str] = await self._client.call("encrypt", {"app_id": app_id, "items": _items(items)})
        return result

    async def decrypt(self, app_id: str, items: list[CipherItem]) -> Opened:
        result = await self._client.call("decrypt", {"app_id": app_id, "items": _items(items)})
        return msgspec.convert(result, Opened)

    async def hash(self, app_id: str, items: list[CipherItem]) -> list[str]:
        result: list[str] = await self._client.call("hash", {"app_id": app_id, "items": _items(items)})
        return result

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call("health", {})
        return result

    async def close(self) -> None:
        await self._client.close()
