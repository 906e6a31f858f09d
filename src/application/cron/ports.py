"""What the cron use cases need from outside: schedules, the run store, what jobs call (time: ports.clock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from application.mail.ports import Queued
from domain.cron import Job


class Schedule(Protocol):
    """Fire times of a 5-field cron expression read in a timezone (epoch seconds in, epoch seconds out)."""

    def next_after(self, expression: str, timezone: str, after: float) -> float:
        """The first fire time strictly after `after`."""
        ...

    def latest_at_or_before(self, expression: str, timezone: str, at: float) -> float | None:
        """The last fire time at or before `at` (None if there is none within a year)."""
        ...


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of the run history. Times are epoch seconds; `scheduled_for` is None for manual runs."""

    id: int
    job: str
    kind: str
    status: str
    scheduled_for: float | None
    claimed_at: float
    finished_at: float | None = None
    attempts: int = 0
    duration_ms: int | None = None
    error: str | None = None
    result: dict[str, Any] | None = None
    owner: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "job": self.job,
            "kind": self.kind,
            "status": self.status,
            "scheduled_for": self.scheduled_for,
            "claimed_at": self.claimed_at,
            "finished_at": self.finished_at,
            "attempts": self.attempts,
            "duration_ms": self.duration_ms,
            "error": self.error,
            "result": self.result,
            "owner": self.owner,
        }


class RunStore(Protocol):
    """Run history and claims, in each app's own database, shared by every cron instance."""

    async def claim(
        self, app_id: str, job: str, scheduled_for: float | None, kind: str, owner: str, now: float
    ) -> int | None:
        """A new run row (status running); None when that firing is already claimed by any instance."""
        ...

    async def acquire(self, app_id: str, job: str, run_id: int, owner: str, now: float, until: float) -> bool:
        """Take the job's lock for `run_id` unless another run holds an unexpired lease on it.

        A previous holder whose lease expired without releasing it is marked abandoned.
        """
        ...

    async def renew(self, app_id: str, job: str, run_id: int, until: float) -> None: ...

    async def release(self, app_id: str, job: str, run_id: int) -> None: ...

    async def finish(
        self,
        app_id: str,
        run_id: int,
        status: str,
        *,
        finished_at: float,
        attempts: int,
        duration_ms: int,
        error: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None: ...

    async def get(self, app_id: str, run_id: int) -> RunRecord | None: ...

    async def history(self, app_id: str, job: str | None, limit: int) -> list[RunRecord]:
        """Newest first."""
        ...

    async def purge(self, app_id: str, before: float) -> int:
        """Delete finished runs claimed before `before`; how many were deleted."""
        ...


@dataclass(slots=True)
class RunContext:
    """What a job run knows: its app and job, the firing it serves, and state kept across its attempts."""

    job: Job
    run_id: int
    fire_time: float
    scheduled_for: float | None
    attempt: int = 1
    state: dict[str, Any] = field(default_factory=dict)


class JobRunner(Protocol):
    """Runs one job type; returns a small summary (stored as the run's result), raises on failure."""

    async def run(self, ctx: RunContext) -> dict[str, Any]: ...


class MailQueue(Protocol):
    """sogoms-smtp's queue: a templated mail is accepted into its durable outbox (the Mailer port fits)."""

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None
    ) -> Queued: ...


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: str = ""


class HttpClient(Protocol):
    """Outgoing HTTP for `http` jobs; refuses internal addresses unless `allow_private`."""

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: Any,
        timeout: float,
        allow_private: bool,
    ) -> HttpResponse: ...


class ServiceCaller(Protocol):
    """Calls an action of another SOGOMS service over its socket."""

    async def call(self, service: str, action: str, params: dict[str, Any], timeout: float) -> Any: ...
