"""One run of a job: claimed in the database, run under the job's lease with its timeout and retries, recorded."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from application.ports.clock import Clock, Pause
from application.ports.logs import LogSink
from domain.cron import Job, JobFailure, JobType, RunKind, RunStatus
from domain.errors import BadRequest, ConfigError, Conflict, DomainError, Forbidden, InvalidInput, NotFound

from .ports import JobRunner, RunContext, RunRecord, RunStore

log = logging.getLogger("sogoms.cron")

LEASE_MARGIN = 60.0  # a lease outlives the attempt's timeout by this much
BUSY = "the previous run is still running"
_FINAL = (BadRequest, Forbidden, NotFound, InvalidInput, ConfigError)  # retrying cannot help


def iso_utc(ts: float | None) -> str | None:
    """`ts` as ISO 8601 UTC (2026-05-04T06:00:00Z); None stays None."""
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RunExecutor:
    """Claims firings and runs jobs. Every finished run is written to the history and to the log sink."""

    def __init__(
        self,
        store: RunStore,
        runners: Mapping[JobType, JobRunner],
        clock: Clock,
        pause: Pause,
        logs: LogSink,
        owner: str,
    ) -> None:
        self._store, self._runners, self._logs = store, runners, logs
        self._clock, self._pause = clock, pause
        self.owner = owner

    async def claim(self, job: Job, scheduled_for: float | None, kind: RunKind) -> int | None:
        """The new run's id, or None when any instance already claimed this firing."""
        return await self._store.claim(job.app, job.name, scheduled_for, kind.value, self.owner, self._clock.now())

    async def skip(self, job: Job, scheduled_for: float, reason: str) -> RunRecord | None:
        """Record a firing that will not run (missed beyond the grace period); None if already recorded."""
        run_id = await self.claim(job, scheduled_for, RunKind.MISSED)
        if run_id is None:
            return None
        now = self._clock.now()
        return await self._finish(job, run_id, RunKind.MISSED, scheduled_for, now, RunStatus.SKIPPED, 0, reason)

    async def execute(
        self, job: Job, run_id: int, kind: RunKind, scheduled_for: float | None, *, max_attempts: int | None = None
    ) -> RunRecord:
        """Run a claimed firing to its end (success, failure after retries, or skipped when already running)."""
        started = self._clock.now()
        if not await self._store.acquire(job.app, job.name, run_id, self.owner, started, started + _lease(job)):
            return await self._finish(job, run_id, kind, scheduled_for, started, RunStatus.SKIPPED, 0, BUSY)
        attempts_allowed = max_attempts or job.retry.max_attempts
        ctx = RunContext(job, run_id, scheduled_for if scheduled_for is not None else started, scheduled_for)
        status, error, result = RunStatus.FAILED, None, None
        try:
            while True:
                try:
                    async with asyncio.timeout(job.spec.timeout_seconds):
                        result = await self._runners[job.type].run(ctx)
                    status, error = RunStatus.SUCCESS, None
                    break
                except TimeoutError:
                    error, retryable = f"timed out after {job.spec.timeout}", True
                except JobFailure as exc:
                    error, retryable = exc.message, exc.retryable
                except DomainError as exc:
                    error, retryable = f"{exc.code}: {exc.message}", not isinstance(exc, _FINAL)
                except Exception as exc:
                    log.exception("cron job %s/%s raised", job.app, job.name)
                    error, retryable = f"internal error ({type(exc).__name__})", True
                if not retryable or ctx.attempt >= attempts_allowed:
                    break
                delay = job.retry.delay_seconds
                log.info(
                    "cron job %s/%s failed (attempt %d): %s; retrying in %s",
                    job.app,
                    job.name,
                    ctx.attempt,
                    error,
                    job.retry.delay,
                )
                await self._store.renew(job.app, job.name, run_id, self._clock.now() + delay + _lease(job))
                await self._pause.sleep(delay)
                ctx.attempt += 1
        except asyncio.CancelledError:
            await self._close(
                job, run_id, kind, scheduled_for, started, ctx.attempt, "interrupted: sogoms-cron stopped"
            )
            raise
        return await self._close(job, run_id, kind, scheduled_for, started, ctx.attempt, error, result, status)

    async def _close(
        self,
        job: Job,
        run_id: int,
        kind: RunKind,
        scheduled_for: float | None,
        started: float,
        attempts: int,
        error: str | None,
        result: dict[str, Any] | None = None,
        status: RunStatus = RunStatus.FAILED,
    ) -> RunRecord:
        try:
            return await self._finish(job, run_id, kind, scheduled_for, started, status, attempts, error, result)
        finally:
            await self._store.release(job.app, job.name, run_id)

    async def _finish(
        self,
        job: Job,
        run_id: int,
        kind: RunKind,
        scheduled_for: float | None,
        started: float,
        status: RunStatus,
        attempts: int,
        error: str | None,
        result: dict[str, Any] | None = None,
    ) -> RunRecord:
        now = self._clock.now()
        duration_ms = int(max(0.0, now - started) * 1000)
        await self._store.finish(
            job.app,
            run_id,
            status.value,
            finished_at=now,
            attempts=attempts,
            duration_ms=duration_ms,
            error=error,
            result=result,
        )
        record = RunRecord(
            run_id,
            job.name,
            kind.value,
            status.value,
            scheduled_for,
            started,
            now,
            attempts,
            duration_ms,
            error,
            result,
            self.owner,
        )
        await self._log(job, record)
        return record

    async def _log(self, job: Job, run: RunRecord) -> None:
        data: dict[str, Any] = {
            "job": job.name,
            "run_id": run.id,
            "kind": run.kind,
            "result": run.status,
            "attempts": run.attempts,
            "duration_ms": run.duration_ms,
            "scheduled_for": iso_utc(run.scheduled_for),
            "error": run.error,
            "instance": self.owner,
        }
        try:
            await self._logs.log_event(job.app, "cron.run", data, type="cron")
            if run.status == RunStatus.FAILED.value:
                await self._logs.log_error(job.app, f"cron job {job.name} failed: {run.error}", "error", data)
        except DomainError as exc:
            log.warning("cron run %s/%s #%d not logged: %s", job.app, job.name, run.id, exc.message)
        level = logging.WARNING if run.status == RunStatus.FAILED.value else logging.INFO
        log.log(level, "cron %s/%s run %d: %s (%s)", job.app, job.name, run.id, run.status, run.error or "ok")


def _lease(job: Job) -> float:
    return job.spec.timeout_seconds + LEASE_MARGIN


def busy(record: RunRecord) -> Conflict:
    """The error a manual trigger gets when the job is already running."""
    return Conflict(f"job {record.job!r} is already running (this run, {record.id}, was skipped)")
