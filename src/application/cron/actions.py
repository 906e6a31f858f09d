"""sogoms-cron's actions: `list` (jobs and their next run), `trigger` (run now), `status` (history), `health`."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from application.ports.clock import Clock
from domain.cron import Job, RunKind, RunStatus
from domain.errors import BadRequest, DomainError

from .catalog import CronCatalog
from .ports import RunRecord, RunStore, Schedule
from .runs import BUSY, RunExecutor, busy, iso_utc
from .scheduler import Scheduler

CRON_ACTIONS = ("list", "trigger", "status", "health")  # sogoms-cron's, on the wire
MAX_LIMIT = 500


def run_view(run: RunRecord) -> dict[str, Any]:
    """A run as the actions show it: times as ISO 8601 UTC."""
    view = run.as_dict()
    for key in ("scheduled_for", "claimed_at", "finished_at"):
        view[key] = iso_utc(view[key])
    return view


class CronActions:
    """The service's port: what `sogoms cron`, the admin UI and sogoctl ask sogoms-cron."""

    def __init__(
        self,
        catalog: CronCatalog,
        executor: RunExecutor,
        store: RunStore,
        schedule: Schedule,
        clock: Clock,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._catalog, self._executor, self._store = catalog, executor, store
        self._schedule, self._clock, self._scheduler = schedule, clock, scheduler
        self._manual: set[asyncio.Task[RunRecord]] = set()

    def _next(self, job: Job) -> dict[str, str | None]:
        if not job.enabled:
            return {"next_run": None, "next_run_utc": None}
        t = self._schedule.next_after(job.schedule, job.timezone, self._clock.now())
        local = datetime.fromtimestamp(t, ZoneInfo(job.timezone)).isoformat(timespec="seconds")
        return {"next_run": local, "next_run_utc": iso_utc(t)}

    async def list(self, app_id: str) -> list[dict[str, Any]]:
        """Every job of the app with its schedule, type, whether enabled, its next run and its last run
        (None when it never ran or the app's database cannot be reached)."""
        cron = self._catalog.app(app_id)
        out = []
        for name, job in sorted(cron.jobs.items()):
            try:
                last = await self._store.history(app_id, name, 1)
            except DomainError:  # the app's database is down: the schedule is still worth showing
                last = []
            out.append(
                {
                    "name": name,
                    "type": job.type.value,
                    "schedule": job.spec.schedule,
                    "enabled": job.enabled,
                    "description": job.spec.description,
                    "timezone": job.timezone,
                    **self._next(job),
                    "last_run": run_view(last[0]) if last else None,
                }
            )
        return out

    async def trigger(self, app_id: str, job: str, wait: bool = True) -> dict[str, Any]:
        """Run the job now (one attempt, even when disabled); with `wait`, its result, else its run id."""
        target = self._catalog.job(app_id, job)
        run_id = await self._executor.claim(target, None, RunKind.MANUAL)
        if run_id is None:  # cannot happen for manual runs (no firing key), kept for the port's contract
            raise BadRequest(f"job {job!r} could not be claimed")
        task = asyncio.ensure_future(self._executor.execute(target, run_id, RunKind.MANUAL, None, max_attempts=1))
        self._manual.add(task)
        task.add_done_callback(self._manual.discard)
        if not wait:
            return {"run_id": run_id, "job": job, "status": RunStatus.RUNNING.value}
        run = await asyncio.shield(task)
        if run.status == RunStatus.SKIPPED.value and run.error == BUSY:
            raise busy(run)
        return {"run_id": run.id, **run_view(run)}

    async def status(self, app_id: str, job: str = "", limit: int = 20) -> dict[str, Any]:
        """The app's run history (one job's when `job` is given), newest first."""
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
        if job:
            self._catalog.job(app_id, job)
        else:
            self._catalog.app(app_id)
        runs = await self._store.history(app_id, job or None, limit)
        return {"app_id": app_id, "job": job or None, "runs": [run_view(r) for r in runs]}

    async def health(self) -> dict[str, Any]:
        apps = self._catalog.apps
        return {
            "ok": True,
            "service": "sogoms-cron",
            "instance": self._executor.owner,
            "apps": {
                name: {"jobs": len(c.jobs), "enabled": sum(j.enabled for j in c.jobs.values())}
                for name, c in apps.items()
            },
            "running": (self._scheduler.running if self._scheduler else 0) + len(self._manual),
        }

    async def close(self, drain: float = 10.0) -> None:
        if self._manual:
            _, pending = await asyncio.wait(set(self._manual), timeout=drain)
            for t in pending:
                t.cancel()
