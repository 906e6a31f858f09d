"""Fakes (not mocks) of the ports: they keep what they were given so tests assert on state."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import re
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from application.admin.ports import (
    AdminUsers,
    CronControl,
    DatabaseProbe,
    DbTarget,
    Randomness,
    ServiceControl,
    ServiceState,
    SessionStore,
)
from application.cron.ports import (
    CronClock,
    HttpClient,
    HttpResponse,
    MailQueue,
    RunRecord,
    RunStore,
    ServiceCaller,
)
from application.mail.mailer import BulkQueued, Mailer, MessageStatus, Queued, Recipient
from application.mail.ports import (
    DeliveryFailed,
    MailAccount,
    MailAccounts,
    MailTransport,
    Outbox,
    Pause,
    Rendered,
    TemplateRenderer,
)
from application.ports.auth_store import LoginThrottle
from application.ports.clock import Clock
from application.ports.logs import LogSink
from application.ports.security import PasswordHasher, Verification
from application.push.ports import EventPublisher, MessageBroker
from application.supervision.ports import HealthProbe, ProcessRunner, Ticker
from domain.admin import AdminSession, AdminUser
from domain.app import SmtpSettings
from domain.errors import ConfigError, DomainError, FieldError, InvalidInput, NotFound, Unavailable
from domain.mail import OutboxMessage, OutboxState
from domain.push import PushMessage
from domain.supervision import HealthReport, ServiceSpec

# ---------------------------------------------------------------- push


class FakeMessageBroker:
    """Keeps delivered messages in `delivered` (app, message); `down=True` answers like a lost broker."""

    def __init__(self) -> None:
        self.delivered: list[tuple[str, PushMessage]] = []
        self.down = False

    async def deliver(self, app_id: str, message: PushMessage) -> None:
        if self.down:
            raise Unavailable("MQTT broker 127.0.0.1:1883 is not connected")
        self.delivered.append((app_id, message))

    async def health(self) -> dict[str, Any]:
        return {"ok": not self.down, "broker": {"address": "127.0.0.1:1883", "connected": not self.down}}


class FakeEventPublisher:
    """Keeps each call in `calls` (action, params); `failure` is raised instead when set."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.failure: DomainError | Exception | None = None

    async def _record(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        if self.failure is not None:
            raise self.failure
        self.calls.append((action, params))
        return {"ok": True}

    async def publish(
        self, app_id: str, topic: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        return await self._record("publish", {"app_id": app_id, "topic": topic, "payload": payload, "qos": qos})

    async def notify_user(
        self, app_id: str, user_id: int | str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        params = {"app_id": app_id, "user_id": user_id, "channel": channel, "payload": payload, "qos": qos}
        return await self._record("notify_user", params)

    async def broadcast(
        self, app_id: str, channel: str, payload: dict[str, Any], qos: int = 1, retain: bool = False
    ) -> dict[str, Any]:
        return await self._record("broadcast", {"app_id": app_id, "channel": channel, "payload": payload, "qos": qos})

    async def health(self) -> dict[str, Any]:
        return {"ok": self.failure is None}


# ---------------------------------------------------------------- cron


class FakeClock:
    """Time that moves only when told to; `sleep` advances it at once (and yields to the loop)."""

    def __init__(self, start: float) -> None:
        self.t = float(start)
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    def set(self, t: float) -> None:
        self.t = float(t)

    def advance(self, seconds: float) -> None:
        self.t += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += max(0.0, seconds)
        await asyncio.sleep(0)


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


@dataclass
class FakeLogSink:
    events: list[tuple[str, str, dict[str, Any], str]] = field(default_factory=list)
    errors: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        self.events.append((app_id, event, data or {}, type))

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        self.errors.append((app_id, message, level, data or {}))

    async def health(self) -> dict[str, Any]:
        return {"ok": True}

    def audit(self, event: str | None = None) -> list[tuple[str, str, dict[str, Any], str]]:
        """The entries written to the `audit` log (of one event name when given)."""
        return [e for e in self.events if e[3] == "audit" and (event is None or e[1] == event)]


class FakeSmtpService:
    """A stand-in sogoms-smtp (its IPC contract: send_template, send, health) that records what it is asked.

    Served by a real IpcServer (`serve_in_thread`, or `IpcServer(path, actions_of(fake, SMTP_ACTIONS))`).
    """

    def __init__(self, templates: tuple[str, ...] = ("tasks_today", "welcome")) -> None:
        self.templates = templates
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    async def send_template(self, app_id: str, template: str, to: str, data: dict[str, Any]) -> dict[str, Any]:
        if template not in self.templates:
            raise NotFound(f"template {template!r} not found for app {app_id!r}")
        with self._lock:
            self.calls.append(
                {"action": "send_template", "app_id": app_id, "template": template, "to": to, "data": data}
            )
            n = len(self.calls)
        return {"message_id": f"fake-{n}", "status": "queued"}

    async def send(self, app_id: str, to: str, subject: str, body: str, body_html: str = "") -> dict[str, Any]:
        with self._lock:
            self.calls.append({"action": "send", "app_id": app_id, "to": to, "subject": subject, "body": body})
            n = len(self.calls)
        return {"message_id": f"fake-{n}", "status": "queued"}

    async def health(self) -> dict[str, Any]:
        return {"ok": True, "fake": True}

    def of(self, action: str = "send_template") -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.calls if c["action"] == action]


SMTP_ACTIONS = ("send_template", "send", "health")


@contextlib.contextmanager
def serve_in_thread(service: object, actions: tuple[str, ...], path: Path, name: str = "fake") -> Iterator[object]:
    """Serve `service`'s actions with a real IpcServer on `path`, from a thread with its own event loop."""
    from adapters.ipc.dispatch import actions_of
    from adapters.ipc.server import IpcServer

    loop = asyncio.new_event_loop()
    server = IpcServer(path, actions_of(service, actions), name=name)
    ready = threading.Event()

    def main() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError(f"fake service on {path} did not start")
    try:
        yield service
    finally:
        asyncio.run_coroutine_threadsafe(server.close(1.0), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# ---------------------------------------------------------------- supervision


class FakeProcess:
    """A service process: `exit(code)` ends it; SIGTERM ends it unless `ignores_term`; `signals` lists what it
    got, and `journal` (shared by every process of a runner) says who got what, in order."""

    def __init__(self, name: str, pid: int, ignores_term: bool = False, journal: list[str] | None = None) -> None:
        self.name = name
        self._pid = pid
        self.code: int | None = None
        self.ignores_term = ignores_term
        self.signals: list[str] = []
        self.journal = journal if journal is not None else []

    @property
    def pid(self) -> int:
        return self._pid

    def exit(self, code: int) -> None:
        if self.code is None:
            self.code = code

    def exit_code(self) -> int | None:
        return self.code

    def _got(self, sig: str) -> None:
        self.signals.append(sig)
        self.journal.append(f"{self.name}:{sig}")

    def terminate(self) -> None:
        self._got("TERM")
        if not self.ignores_term:
            self.exit(-15)

    def kill(self) -> None:
        self._got("KILL")
        self.exit(-9)

    def hangup(self) -> None:
        self._got("HUP")


class FakeProcessRunner:
    """Starts FakeProcesses: `started` (names, in order), `current[name]`; `crash_at_start` exit 1 at once,
    `cannot_launch` raise like a missing binary, `ignores_term` ignore SIGTERM."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.current: dict[str, FakeProcess] = {}
        self.crash_at_start: set[str] = set()
        self.cannot_launch: set[str] = set()
        self.ignores_term: set[str] = set()
        self.journal: list[str] = []
        self._pids = itertools.count(1000)

    def start(self, name: str, spec: ServiceSpec) -> FakeProcess:
        if name in self.cannot_launch:
            raise Unavailable(f"cannot start {spec.binary}: permission denied")
        process = FakeProcess(name, next(self._pids), name in self.ignores_term, self.journal)
        if name in self.crash_at_start:
            process.exit(1)
        self.started.append(name)
        self.current[name] = process
        return process

    def reap_strays(self) -> None:
        return None


class FakeHealthProbe:
    """Healthy when the service's current process runs, `unhealthy` does not name it and it has been
    checked `checks_to_ready[name]` times since its start; `detail[name]` is what it answers."""

    def __init__(self, runner: FakeProcessRunner) -> None:
        self.runner = runner
        self.unhealthy: set[str] = set()
        self.checks_to_ready: dict[str, int] = {}
        self.detail: dict[str, dict[str, Any]] = {}
        self.checks: list[str] = []
        self._seen: dict[int, int] = {}

    async def check(self, name: str, spec: ServiceSpec, timeout: float) -> HealthReport:
        self.checks.append(name)
        process = self.runner.current.get(name)
        if process is None or process.code is not None:
            return HealthReport(False, error=f"{name} is unavailable")
        self._seen[process.pid] = self._seen.get(process.pid, 0) + 1
        if self._seen[process.pid] < self.checks_to_ready.get(name, 1):
            return HealthReport(False, error=f"{name} is unavailable")
        if name in self.unhealthy:
            return HealthReport(False, error=f"{name} did not answer 'health' in time")
        return HealthReport(True, self.detail.get(name, {"ok": True}))


# ---------------------------------------------------------------- mail


def smtp_account(app_id: str = "shop", rate: float = 1000.0, **smtp: Any) -> MailAccount:
    settings = SmtpSettings(**{"host": "127.0.0.1", "port": 2525, "from_address": "noreply@shop.test", **smtp})
    settings = replace(settings, rate=rate)
    return MailAccount(app_id, settings, settings.from_address)


class FakeMailAccounts:
    def __init__(self, accounts: dict[str, MailAccount | None] | None = None) -> None:
        self.accounts: dict[str, MailAccount | None] = accounts if accounts is not None else {"shop": smtp_account()}

    def account(self, app_id: str) -> MailAccount:
        if app_id not in self.accounts:
            raise NotFound(f"Unknown app {app_id!r}")
        account = self.accounts[app_id]
        if account is None:
            raise ConfigError(f"App {app_id!r} has no smtp section")
        return account

    def apps(self) -> list[str]:
        return sorted(a for a, acc in self.accounts.items() if acc is not None)


_VAR = re.compile(r"\{(\w+)\}")


class FakeTemplates:
    """`{name}` placeholders; a missing one is the same InvalidInput the real renderer raises."""

    def __init__(self, templates: dict[str, dict[str, Rendered]] | None = None) -> None:
        self.templates = templates if templates is not None else {}

    def _fill(self, text: str, data: dict[str, Any]) -> str:
        def value(m: re.Match[str]) -> str:
            if m.group(1) not in data:
                raise InvalidInput([FieldError(f"data.{m.group(1)}", "is not provided")])
            return str(data[m.group(1)])

        return _VAR.sub(value, text)

    def render_inline(self, app_id: str, template: Rendered, data: dict[str, Any]) -> Rendered:
        return Rendered(*(self._fill(t, data) for t in (template.subject, template.body, template.body_html)))

    def render(self, app_id: str, name: str, data: dict[str, Any]) -> Rendered:
        template = self.templates.get(app_id, {}).get(name)
        if template is None:
            raise NotFound(f"no template {name!r}")
        return self.render_inline(app_id, template, data)

    def names(self, app_id: str) -> list[str]:
        return sorted(self.templates.get(app_id, {}))


class FakeOutbox:
    """The outbox's rules (claims, leases, attempts) on dicts; `rows[app][id]`."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[int, OutboxMessage]] = {}
        self.claimed_by: dict[tuple[str, int], str] = {}
        self._ids = 0

    def all(self, app_id: str = "shop") -> list[OutboxMessage]:
        return list(self.rows.get(app_id, {}).values())

    async def add(self, app_id: str, messages: list[OutboxMessage]) -> None:
        for m in messages:
            self._ids += 1
            self.rows.setdefault(app_id, {})[self._ids] = replace(m, id=self._ids, status=OutboxState.QUEUED)

    async def due(self, app_id: str, now: float, limit: int) -> list[OutboxMessage]:
        due = [m for m in self.all(app_id) if m.status == OutboxState.QUEUED and m.next_attempt_at <= now]
        return sorted(due, key=lambda m: (m.next_attempt_at, m.id))[:limit]

    def _set(self, app_id: str, mid: int, **changes: Any) -> None:
        self.rows[app_id][mid] = replace(self.rows[app_id][mid], **changes)

    async def claim(self, app_id: str, message_id: int, claimant: str, now: float, lease_until: float) -> bool:
        m = self.rows[app_id][message_id]
        if m.status != OutboxState.QUEUED or m.next_attempt_at > now:
            return False
        self._set(app_id, message_id, status=OutboxState.SENDING, attempts=m.attempts + 1, next_attempt_at=lease_until)
        self.claimed_by[(app_id, message_id)] = claimant
        return True

    def _holds(self, app_id: str, message_id: int, claimant: str) -> bool:
        m = self.rows[app_id][message_id]
        return m.status == OutboxState.SENDING and self.claimed_by.get((app_id, message_id)) == claimant

    async def mark_sent(self, app_id: str, message_id: int, claimant: str, now: float) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        self._set(app_id, message_id, status=OutboxState.SENT, sent_at=now)
        return True

    async def reschedule(
        self, app_id: str, message_id: int, claimant: str, at: float, error: str, count_attempt: bool = True
    ) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        attempts = self.rows[app_id][message_id].attempts - (0 if count_attempt else 1)
        self._set(
            app_id, message_id, status=OutboxState.QUEUED, next_attempt_at=at, last_error=error, attempts=attempts
        )
        return True

    async def mark_failed(self, app_id: str, message_id: int, claimant: str, now: float, error: str) -> bool:
        if not self._holds(app_id, message_id, claimant):
            return False
        self._set(app_id, message_id, status=OutboxState.FAILED, last_error=error, next_attempt_at=now)
        return True

    async def release_expired(self, app_id: str, now: float, max_attempts: int) -> int:
        released = 0
        for m in self.all(app_id):
            if m.status == OutboxState.SENDING and m.next_attempt_at <= now:
                state = OutboxState.FAILED if m.attempts >= max_attempts else OutboxState.QUEUED
                self._set(app_id, m.id, status=state, last_error="delivery interrupted")
                released += 1
        return released

    async def get(self, app_id: str, message_id: str) -> OutboxMessage | None:
        return next((m for m in self.all(app_id) if m.message_id == message_id), None)

    async def depth(self, app_id: str) -> dict[str, int]:
        counts = {s.value: 0 for s in OutboxState}
        for m in self.all(app_id):
            counts[m.status.value] += 1
        return counts

    async def purge(self, app_id: str, before: float) -> int:
        old = [m.id for m in self.all(app_id) if m.status in ("sent", "failed") and m.created_at < before]
        for mid in old:
            del self.rows[app_id][mid]
        return len(old)


@dataclass
class FakeMailTransport:
    """Records what it sends (and when, on `clock`); `replies` scripts failures per Message-ID, in order."""

    clock: Clock | None = None
    down: bool = False
    sent: list[OutboxMessage] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    replies: dict[str, list[DeliveryFailed]] = field(default_factory=dict)
    sessions: int = 0
    on_send: Callable[[OutboxMessage], None] | None = None

    @asynccontextmanager
    async def session(self, account: MailAccount) -> AsyncIterator[FakeMailTransport]:
        self.sessions += 1
        yield self

    async def send(self, message: OutboxMessage) -> None:
        if self.on_send is not None:
            self.on_send(message)
        if self.down:
            raise DeliveryFailed("cannot reach 127.0.0.1:2525: connection refused", unreachable=True)
        scripted = self.replies.get(message.message_id)
        if scripted:
            raise scripted.pop(0)
        self.sent.append(message)
        self.sent_at.append(self.clock.now() if self.clock else 0.0)


class FakeMailer:
    """Records every call; `error` makes each call raise it."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def _record(self, action: str, **params: Any) -> None:
        self.calls.append((action, params))
        if self.error is not None:
            raise self.error

    async def send(
        self, app_id: str, to: str, subject: str, body: str, body_html: str = "", reply_to: str = ""
    ) -> Queued:
        self._record("send", app_id=app_id, to=to, subject=subject, body=body)
        return Queued(f"<{len(self.calls)}@{app_id}.sogoms>")

    async def send_template(
        self, app_id: str, template: str, to: str, data: dict[str, Any] | None = None, subject: str = ""
    ) -> Queued:
        self._record("send_template", app_id=app_id, template=template, to=to, data=data or {})
        return Queued(f"<{len(self.calls)}@{app_id}.sogoms>")

    async def send_bulk(
        self,
        app_id: str,
        recipients: list[Recipient],
        template: str = "",
        subject: str = "",
        body: str = "",
        body_html: str = "",
    ) -> BulkQueued:
        self._record("send_bulk", app_id=app_id, recipients=recipients, template=template)
        return BulkQueued(len(recipients), [f"<{i}@{app_id}.sogoms>" for i in range(len(recipients))])

    async def status(self, app_id: str, message_id: str) -> MessageStatus:
        raise NotFound(message_id)

    async def health(self) -> dict[str, Any]:
        return {"ok": True}


# the fakes fit their ports (mypy checks these)
_broker: MessageBroker = FakeMessageBroker()
_publisher: EventPublisher = FakeEventPublisher()
_clock: CronClock = FakeClock(0)
_store: RunStore = FakeRunStore()
_mail: MailQueue = FakeMailQueue()
_http: HttpClient = FakeHttpClient()
_services: ServiceCaller = FakeServiceCaller()
_logs: LogSink = FakeLogSink()
_ticker: Ticker = FakeClock(0)
_runner: ProcessRunner = FakeProcessRunner()
_probe: HealthProbe = FakeHealthProbe(FakeProcessRunner())
_accounts: MailAccounts = FakeMailAccounts()
_templates: TemplateRenderer = FakeTemplates()
_outbox: Outbox = FakeOutbox()
_transport: MailTransport = FakeMailTransport()
_mailer: Mailer = FakeMailer()
_pause: Pause = FakeClock(0)
_clock_port: Clock = FakeClock(0)


# admin UI
class FakeHasher:
    """`hash(p)` is 'plain:' + p; a 'bcrypt:' prefix stands for an old hash that verifies and needs a rehash."""

    async def hash(self, password: str) -> str:
        return "plain:" + password

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        if stored_hash is None:
            return Verification(False)
        if stored_hash.startswith("bcrypt:"):
            ok = stored_hash == "bcrypt:" + password
            return Verification(ok, needs_rehash=ok)
        return Verification(stored_hash == "plain:" + password)


class FakeAdminUsers:
    def __init__(self, *users: AdminUser) -> None:
        self.users = {u.username: u for u in users}

    async def all(self) -> list[AdminUser]:
        return list(self.users.values())

    async def get(self, username: str) -> AdminUser | None:
        return self.users.get(username)

    async def save(self, user: AdminUser) -> None:
        self.users[user.username] = user


class FakeSessionStore:
    def __init__(self) -> None:
        self.sessions: dict[str, AdminSession] = {}

    async def create(self, session: AdminSession) -> None:
        self.sessions[session.id_hash] = session

    async def get(self, id_hash: str) -> AdminSession | None:
        return self.sessions.get(id_hash)

    async def touch(self, id_hash: str, now: float) -> None:
        s = self.sessions.get(id_hash)
        if s is not None:
            self.sessions[id_hash] = AdminSession(s.id_hash, s.username, s.csrf_token, s.created_at, now, s.ip)

    async def delete(self, id_hash: str) -> None:
        self.sessions.pop(id_hash, None)

    async def delete_user(self, username: str) -> int:
        gone = [k for k, s in self.sessions.items() if s.username == username]
        for k in gone:
            del self.sessions[k]
        return len(gone)

    async def purge(self, idle_before: float, created_before: float) -> int:
        gone = [k for k, s in self.sessions.items() if s.last_seen < idle_before or s.created_at < created_before]
        for k in gone:
            del self.sessions[k]
        return len(gone)


class FakeThrottle:
    def __init__(self) -> None:
        self.marks: list[tuple[str, int]] = []

    async def failures(self, app: str, keys: list[str], since: int) -> dict[str, int]:
        return {k: sum(1 for b, at in self.marks if b == k and at > since) for k in keys}

    async def record_failure(self, app: str, keys: list[str], now: int) -> None:
        self.marks += [(k, now) for k in keys]

    async def clear(self, app: str, key: str) -> None:
        self.marks = [m for m in self.marks if m[0] != key]


class FakeRandomness:
    def __init__(self) -> None:
        self._n = itertools.count(1)

    def token(self) -> str:
        return hashlib.sha256(str(next(self._n)).encode()).hexdigest()[:43]

    def secret(self) -> bytes:
        return ("s" * 48 + str(next(self._n))).encode()


class FakeServiceControl:
    def __init__(self, services: list[ServiceState] | None = None, down: bool = False) -> None:
        self.services = services or [ServiceState("sogoway", "RUNNING", 42, 12.0, 0, "ok")]
        self.reloaded: list[str] = []
        self.restarted: list[str] = []
        self.down = down

    def _check(self) -> None:
        if self.down:
            raise Unavailable("sogoctl is unavailable")

    async def status(self) -> list[ServiceState]:
        self._check()
        return list(self.services)

    async def reload(self, service: str) -> None:
        self._check()
        if service not in {s.name for s in self.services}:
            raise NotFound(f"unknown service {service!r}")
        self.reloaded.append(service)

    async def restart(self, service: str) -> None:
        self._check()
        self.restarted.append(service)


class FakeCronControl:
    def __init__(self, jobs: dict[str, list[str]] | None = None) -> None:
        self.jobs_by_app = jobs or {}
        self.triggered: list[tuple[str, str]] = []

    async def jobs(self, app_id: str) -> list[dict[str, Any]]:
        return [
            {"name": j, "type": "http", "schedule": "0 8 * * *", "enabled": True}
            for j in self.jobs_by_app.get(app_id, [])
        ]

    async def trigger(self, app_id: str, job: str) -> dict[str, Any]:
        if job not in self.jobs_by_app.get(app_id, []):
            raise NotFound(f"no job {job!r}")
        self.triggered.append((app_id, job))
        return {"run_id": len(self.triggered), "status": "success"}

    async def history(self, app_id: str, job: str = "", limit: int = 20) -> list[dict[str, Any]]:
        return [{"job": j, "status": "success"} for a, j in self.triggered if a == app_id and (not job or j == job)][
            :limit
        ]


@dataclass
class FakeDatabaseProbe:
    addresses: dict[str, list[str]] = field(default_factory=lambda: {"localhost": ["127.0.0.1"]})
    failing: str = ""
    checked: list[DbTarget] = field(default_factory=list)

    async def resolve(self, host: str) -> list[str]:
        if host.replace(".", "").isdigit():
            return [host]
        return self.addresses.get(host, [])

    async def check(self, target: DbTarget) -> None:
        self.checked.append(target)
        if self.failing:
            raise Unavailable(self.failing)


_hasher: PasswordHasher = FakeHasher()
_users: AdminUsers = FakeAdminUsers()
_sessions: SessionStore = FakeSessionStore()
_throttle: LoginThrottle = FakeThrottle()
_random: Randomness = FakeRandomness()
_control: ServiceControl = FakeServiceControl()
_cron: CronControl = FakeCronControl()
_probe: DatabaseProbe = FakeDatabaseProbe()
