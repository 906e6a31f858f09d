"""Cron jobs (list, trigger, history), the log viewer, and the services' health from the supervisor."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import FieldError, InvalidInput, NotFound

from .audit import ADMIN_LOG, Actor, Auditor
from .ports import AppCatalog, CronControl, LogPage, LogReader, ServiceControl, ServiceState

_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_DAY = re.compile(r"^\d{8}$")
MAX_TEXT = 200


class CronAdmin:
    def __init__(self, catalog: AppCatalog, cron: CronControl, auditor: Auditor) -> None:
        self._catalog, self._cron, self._audit = catalog, cron, auditor

    async def _check(self, actor: Actor, app: str, permission: str, action: str) -> None:
        await self._audit.require(actor, permission, app, action)
        if app not in await self._catalog.names():
            raise NotFound(f"no app named {app!r}")

    async def jobs(self, actor: Actor, app: str) -> list[dict[str, Any]]:
        await self._check(actor, app, "cron:read", "list_cron")
        return await self._cron.jobs(app)

    async def history(self, actor: Actor, app: str, job: str = "", limit: int = 20) -> list[dict[str, Any]]:
        await self._check(actor, app, "cron:read", "cron_history")
        return await self._cron.history(app, job, limit)

    async def trigger(self, actor: Actor, app: str, job: str) -> dict[str, Any]:
        await self._check(actor, app, "cron:trigger", "trigger_cron")
        result = await self._cron.trigger(app, job)
        await self._audit.done(actor, "trigger_cron", app, job=job, status=result.get("status"))
        return result


@dataclass(frozen=True, slots=True)
class LogQuery:
    app: str
    day: str = ""
    types: tuple[str, ...] = ()
    text: str = ""
    page: int = 1


class LogViewer:
    def __init__(self, catalog: AppCatalog, reader: LogReader, auditor: Auditor, page_size: int = 50) -> None:
        self._catalog, self._reader, self._audit, self._size = catalog, reader, auditor, page_size

    async def read(self, actor: Actor, q: LogQuery) -> LogPage:
        """One page of one day's lines, newest first; the admin's own audit log (`_admin`) is for super admins."""
        if q.app == ADMIN_LOG:
            await self._audit.require_super(actor, "read_admin_log")
        else:
            await self._audit.require(actor, "logs:read", q.app, "read_logs")
            if q.app not in await self._catalog.names():
                raise NotFound(f"no app named {q.app!r}")
        errors = [FieldError("type", f"{t!r} is not a log type") for t in q.types if not _TYPE.match(t)]
        if q.day and not _DAY.match(q.day):
            errors.append(FieldError("day", "must be YYYYMMDD"))
        if len(q.text) > MAX_TEXT:
            errors.append(FieldError("q", f"at most {MAX_TEXT} characters"))
        if q.page < 1:
            errors.append(FieldError("page", "must be 1 or more"))
        if errors:
            raise InvalidInput(errors)
        days = await self._reader.days(q.app)
        day = q.day or (days[0] if days else "")
        if not day:
            return LogPage([], 1, False, days)
        lines, more = await self._reader.read(q.app, day, q.types, q.text, (q.page - 1) * self._size, self._size)
        return LogPage(lines, q.page, more, days)


class ServicesView:
    def __init__(self, control: ServiceControl, auditor: Auditor) -> None:
        self._control, self._audit = control, auditor

    async def status(self, actor: Actor) -> list[ServiceState]:
        """Every supervised service with its state, pid, uptime and restarts (for any signed-in operator)."""
        del actor
        return await self._control.status()

    async def restart(self, actor: Actor, service: str) -> None:
        await self._audit.require_super(actor, "restart_service")
        await self._control.restart(service)
        await self._audit.done(actor, "restart_service", service=service)
