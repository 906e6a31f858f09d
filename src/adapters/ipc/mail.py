"""Client adapter: the Mailer port implemented over IPC (the other side of sogoms-smtp)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import msgspec

from application.mail.ports import BulkQueued, MessageStatus, Queued, Recipient

from .client import IpcClient

BULK_TIMEOUT = 60.0


class IpcMailer:
    """Implements Mailer by calling sogoms-smtp."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def send(
        self, app_id: str, to: str, subject: str, body: str, body_html: str = "", reply_to: str = ""
    ) -> Queued:
        params: dict[str, Any] = {"app_id": app_id, "to": to, "subject": subject, "body": body}
        if body_html:
            params["body_html"] = body_html
        if reply_to:
            params["reply_to"] = reply_to
        return msgspec.convert(await self._client.call("send", params), Queued)

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None, subject: str = ""
    ) -> Queued:
        params: dict[str, Any] = {"app_id": app_id, "template": template, "to": to, "data": data or {}}
        if subject:
            params["subject"] = subject
        return msgspec.convert(await self._client.call("send_template", params), Queued)

    async def send_bulk(
        self,
        app_id: str,
        recipients: list[Recipient],
        template: str = "",
        subject: str = "",
        body: str = "",
        body_html: str = "",
    ) -> BulkQueued:
        params: dict[str, Any] = {"app_id": app_id, "recipients": [asdict(r) for r in recipients]}
        for key, value in (("template", template), ("subject", subject), ("body", body), ("body_html", body_html)):
            if value:
                params[key] = value
        result = await self._client.call("send_bulk", params, timeout=max(BULK_TIMEOUT, self._client.timeout))
        return msgspec.convert(result, BulkQueued)

    async def status(self, app_id: str, message_id: str) -> MessageStatus:
        result = await self._client.call("status", {"app_id": app_id, "message_id": message_id})
        return msgspec.convert(result, MessageStatus)

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call("health", {})
        return result

    async def close(self) -> None:
        await self._client.close()
