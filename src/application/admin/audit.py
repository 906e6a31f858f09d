"""Who is acting, and the audit trail of every admin action (sogoms-logs, type `audit`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from application.ports.logs import LogSink
from domain.admin import AdminUser
from domain.errors import DomainError, Forbidden

ADMIN_LOG = "_admin"
log = logging.getLogger("sogoms.admin")


@dataclass(frozen=True, slots=True)
class Actor:
    """The signed-in operator behind a request, and where the request came from."""

    user: AdminUser
    ip: str = ""


class Auditor:
    """Writes one audit line per action to the app concerned's audit log, or to `_admin` for platform actions."""

    def __init__(self, logs: LogSink) -> None:
        self._logs = logs

    async def record(
        self, username: str, ip: str, action: str, app: str | None = None, outcome: str = "ok", **details: Any
    ) -> None:
        data: dict[str, Any] = {"user": username, "ip": ip, "outcome": outcome, **details}
        if app:
            data["app"] = app
        try:
            await self._logs.log_event(app or ADMIN_LOG, f"admin.{action}", data, type="audit")
        except DomainError as exc:
            # the action already happened: say loudly that its trace is missing rather than hide the result
            log.error("audit entry lost (%s): admin.%s %s", exc.message, action, data)

    async def done(self, actor: Actor, action: str, app: str | None = None, **details: Any) -> None:
        await self.record(actor.user.username, actor.ip, action, app, **details)

    async def require(self, actor: Actor, permission: str, app: str | None, action: str) -> None:
        """Forbidden (and audited as such) unless the actor holds `permission` on `app`."""
        if actor.user.can(permission, app):
            return
        await self.record(actor.user.username, actor.ip, action, app, outcome="forbidden", permission=permission)
        actor.user.require(permission, app)

    async def require_super(self, actor: Actor, action: str) -> None:
        if actor.user.is_super:
            return
        await self.record(actor.user.username, actor.ip, action, outcome="forbidden", permission="super_admin")
        raise Forbidden(f"only a super_admin may {action.replace('_', ' ')}")
