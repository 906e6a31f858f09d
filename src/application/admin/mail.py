"""An app's inbound mail in the admin: its mailboxes and their watchers, the last messages and their outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.errors import DomainError, NotFound

from .audit import Actor, Auditor
from .ports import AppCatalog, AppFiles, InboundControl


@dataclass(frozen=True, slots=True)
class MailOverview:
    mailboxes: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    has_rules: bool
    errors: list[str] = field(default_factory=list)


class MailAdmin:
    def __init__(self, catalog: AppCatalog, files: AppFiles, inbound: InboundControl, auditor: Auditor) -> None:
        self._catalog, self._files, self._inbound, self._audit = catalog, files, inbound, auditor

    async def overview(self, actor: Actor, app: str, limit: int = 50) -> MailOverview:
        """What is configured (from the app folder) next to what the services report; a service down is a note."""
        await self._audit.require(actor, "mail:read", app, "view_mail")
        if app not in await self._catalog.names():
            raise NotFound(f"no app named {app!r}")
        loaded = await self._catalog.load(app)
        errors: list[str] = []
        watchers: list[dict[str, Any]] = []
        try:
            watchers = [w for w in await self._inbound.watchers() if w.get("app") == app]
        except DomainError as exc:
            errors.append(f"sogoms-imap: {exc.message}")
        messages: list[dict[str, Any]] = []
        try:
            messages = [
                {**m, "received": _when(m.get("received_at"))} for m in await self._inbound.messages(app, limit)
            ]
        except DomainError as exc:
            errors.append(f"sogoms-mailproc: {exc.message}")
        boxes = []
        for name, box in loaded.settings.imap.items():
            boxes.append(
                {
                    "name": name,
                    "server": f"{box.host}:{box.effective_port}",
                    "user": box.user,
                    "security": _security(box.tls, box.starttls),
                    "folders": [
                        {
                            "folder": f,
                            **next((w for w in watchers if w.get("mailbox") == name and w.get("folder") == f), {}),
                        }
                        for f in box.folders
                    ],
                }
            )
        has_rules = await self._files.read(app, "mailrules.yaml") is not None
        return MailOverview(boxes, messages, has_rules, errors)

    async def retry(self, actor: Actor, app: str, message: int) -> None:
        await self._audit.require(actor, "mail:write", app, "retry_mail")
        await self._inbound.retry(app, message)
        await self._audit.done(actor, "retry_mail", app, message=message)


def _security(tls: bool, starttls: bool | None) -> str:
    if tls:
        return "TLS"
    if starttls is None:
        return "STARTTLS if offered"
    return "STARTTLS" if starttls else "plain"


def _when(ts: Any) -> str:
    if not isinstance(ts, int | float) or isinstance(ts, bool) or ts <= 0:
        return ""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
