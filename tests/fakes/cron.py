"""The cron ports: run store, mail queue, HTTP client, service caller."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, replace
from typing import Any

from application.cron.ports import HttpClient, HttpResponse, MailQueue, RunRecord, RunStore, ServiceCaller
from application.mail.ports import Queued
from domain.errors import DomainError


class FakeRunStore:
    """RunStore in memory, with the same claim and lease rules as the SQL one."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, int], RunRecord] = {}
        self.locks: dict[tuple[str, str], tuple[int | None, float]] = {}
        self._ids = itertools.count(1)

    async def claim(
        self, app_id: str, job: str, scheduled_for: float | None, kind: str, owner: str, now: float
    ) -> int | None:
        if scheduled_for is not None and any(
            a == app_id and r.job == job and r.scheduled_for == scheduled_for for (a, _), r in self.runs.items()
        ):
            return None
        run_id = next(self._ids)
        self.runs[(app_id, run_id)] = RunRecord(run_id, job, kind, "running", scheduled_for, now, owner=owner)
        return run_id

    async def acquire(self, app_id: str, job: str, run_id: int, owner: str, now: float, until: float) -> bool:
        held, lease = self.locks.get((app_id, job), (None, 0.0))
        if lease >= now:
            return False
        self.locks[(app_id, job)] = (run_id, until)
        previous = self.runs.get((app_id, held)) if held is not None else None
        if previous is not None and previous.id != run_id and previous.status == "running":
            self.runs[(app_id, previous.id)] = replace(previous, status="abandoned", error="lease expired")
        return True

    async def renew(self, app_id: str, job: str, run_id: int, until: float) -> None:
        held, _ = self.locks.get((app_id, job), (None, 0.0))
        if held == run_id:
            self.locks[(app_id, job)] = (run_id, until)

    async def release(self, app_id: str, job: str, run_id: int) -> None:
        held, _ = self.locks.get((app_id, job), (None, 0.0))
        if held == run_id:
            self.locks[(app_id, job)] = (None, 0.0)

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
    ) -> None:
        run = self.runs[(app_id, run_id)]
        self.runs[(app_id, run_id)] = replace(
            run,
            status=status,
            finished_at=finished_at,
            attempts=attempts,
            duration_ms=duration_ms,
            error=error,
            result=result,
        )

    async def get(self, app_id: str, run_id: int) -> RunRecord | None:
        return self.runs.get((app_id, run_id))

    async def history(self, app_id: str, job: str | None, limit: int) -> list[RunRecord]:
        runs = [r for (a, _), r in self.runs.items() if a == app_id and (job is None or r.job == job)]
        return sorted(runs, key=lambda r: -r.id)[:limit]

    async def purge(self, app_id: str, before: float) -> int:
        old = [k for k, r in self.runs.items() if k[0] == app_id and r.claimed_at < before and r.status != "running"]
        for k in old:
            del self.runs[k]
        return len(old)

    def of(self, app_id: str, job: str | None = None) -> list[RunRecord]:
        """Runs of the app (or one job), oldest first."""
        return sorted(
            (r for (a, _), r in self.runs.items() if a == app_id and (job is None or r.job == job)), key=lambda r: r.id
        )


@dataclass
class SentMail:
    app_id: str
    template: str
    to: str
    data: dict[str, Any]


class FakeMailQueue:
    """MailQueue that keeps every mail; `fail_for` makes sends to those addresses fail (once each by default)."""

    def __init__(self) -> None:
        self.sent: list[SentMail] = []
        self.fail_for: dict[str, DomainError] = {}
        self.fail_once = True

    async def send_template(self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None) -> Queued:
        error = self.fail_for.get(to)
        if error is not None:
            if self.fail_once:
                del self.fail_for[to]
            raise error
        self.sent.append(SentMail(app_id, template, to, data or {}))
        return Queued(f"msg-{len(self.sent)}")


@dataclass
class HttpCall:
    method: str
    url: str
    headers: dict[str, str]
    body: Any
    timeout: float
    allow_private: bool


class FakeHttpClient:
    """HttpClient answering from a queue of responses (or errors); keeps every request."""

    def __init__(self, *answers: HttpResponse | DomainError) -> None:
        self.answers = list(answers)
        self.calls: list[HttpCall] = []

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: Any,
        timeout: float,
        allow_private: bool,
    ) -> HttpResponse:
        self.calls.append(HttpCall(method, url, headers, body, timeout, allow_private))
        answer = self.answers.pop(0) if self.answers else HttpResponse(200, "ok")
        if isinstance(answer, DomainError):
            raise answer
        return answer


class FakeServiceCaller:
    """ServiceCaller that records calls; `block` (an asyncio.Event) holds each call until set."""

    def __init__(self, result: Any = None, errors: list[DomainError] | None = None) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.result = {"ok": True} if result is None else result
        self.errors = list(errors or [])
        self.block: asyncio.Event | None = None

    async def call(self, service: str, action: str, params: dict[str, Any], timeout: float) -> Any:
        self.calls.append((service, action, params))
        if self.block is not None:
            await self.block.wait()
        if self.errors:
            raise self.errors.pop(0)
        return self.result


# the fakes fit their ports (mypy checks these)
_store: RunStore = FakeRunStore()
_mail: MailQueue = FakeMailQueue()
_http: HttpClient = FakeHttpClient()
_services: ServiceCaller = FakeServiceCaller()
