"""Client adapter: the MailProcessing port over IPC (the other side of sogoms-mailproc)."""

from __future__ import annotations

import base64
from typing import Any

from .client import IpcClient

APPLY_TIMEOUT = 120.0  # a rule may wait on the database, sogoms-smtp and a webhook's retries


class IpcMailProcessing:
    """Implements MailProcessing by calling sogoms-mailproc."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def apply_rules(
        self, app_id: str, raw: bytes, mailbox: str, folder: str, uid: int, truncated: bool
    ) -> dict[str, Any]:
        params = {
            "app_id": app_id,
            "raw": base64.b64encode(raw).decode(),
            "mailbox": mailbox,
            "folder": folder,
            "uid": uid,
            "truncated": truncated,
        }
        result: dict[str, Any] = await self._client.call("apply_rules", params, timeout=APPLY_TIMEOUT)
        return result

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> None:
        params = {"app_id": app_id, "mailbox": mailbox, "folder": folder, "uidvalidity": uidvalidity, "uid": uid}
        await self._client.call("settle", {**params, "message_key": message_key})

    async def unsettled(self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]) -> list[int]:
        params = {"app_id": app_id, "mailbox": mailbox, "folder": folder, "uidvalidity": uidvalidity, "uids": uids}
        result = await self._client.call("unsettled", params)
        return [int(u) for u in result.get("uids", [])]

    async def close(self) -> None:
        await self._client.close()
