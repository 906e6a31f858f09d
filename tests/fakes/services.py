"""Stand-ins for services on the wire (sogoms-smtp, sogoctl, sogoms-cron): the same actions, served by a real
IpcServer from a background thread (`serving`)."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from domain.errors import NotFound


class FakeSmtpService:
    """A stand-in sogoms-smtp (its IPC contract: send_template, send, health) that records what it is asked.

    Served by a real IpcServer (`serving`, or `IpcServer(path, actions_of(fake, SMTP_ACTIONS))`).
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


class FakeSupervisor:
    """sogoctl's control actions; `reload` of a service with a known pid really sends it SIGHUP."""

    def __init__(self, pids: dict[str, int] | None = None, names: tuple[str, ...] = ("sogoway",)) -> None:
        self.pids = dict(pids or {})
        self.names = tuple(dict.fromkeys((*names, *self.pids)))
        self.reloads: list[str] = []
        self.restarts: list[str] = []
        self.started = time.time()

    async def status(self) -> dict[str, Any]:
        return {
            "services": [
                {
                    "name": n,
                    "state": "RUNNING",
                    "pid": self.pids.get(n, 1000 + i),
                    "uptime": round(time.time() - self.started, 1),
                    "restarts": self.restarts.count(n),
                    "last_health": "ok",
                }
                for i, n in enumerate(self.names)
            ]
        }

    async def reload(self, service: str) -> dict[str, Any]:
        if service not in self.names:
            raise NotFound(f"no service named {service!r}")
        self.reloads.append(service)
        pid = self.pids.get(service)
        if pid:
            os.kill(pid, signal.SIGHUP)
        return {"service": service, "reloaded": True}

    async def restart(self, service: str) -> dict[str, Any]:
        if service not in self.names:
            raise NotFound(f"no service named {service!r}")
        self.restarts.append(service)
        return {"service": service, "restarted": True}


SUPERVISOR_ACTIONS = ("status", "reload", "restart")


class FakeCronService:
    """sogoms-cron's `list`, `trigger` and `status` for fixed jobs."""

    def __init__(self, jobs: dict[str, list[str]]) -> None:
        self.jobs = jobs
        self.runs: list[dict[str, Any]] = []

    async def list(self, app_id: str) -> list[dict[str, Any]]:
        if app_id not in self.jobs:
            raise NotFound(f"no app {app_id!r}")
        return [
            {
                "name": j,
                "type": "http",
                "schedule": "0 8 * * 1-5",
                "enabled": True,
                "description": f"the {j} job",
                "timezone": "Europe/Paris",
                "next_run": "2030-01-07T08:00:00+01:00",
                "last_run": None,
            }
            for j in self.jobs[app_id]
        ]

    async def trigger(self, app_id: str, job: str, wait: bool = True) -> dict[str, Any]:
        if job not in self.jobs.get(app_id, []):
            raise NotFound(f"app {app_id!r} has no job {job!r}")
        run = {
            "run_id": len(self.runs) + 1,
            "app_id": app_id,
            "job": job,
            "kind": "manual",
            "status": "success",
            "finished_at": "2030-01-01T00:00:00Z",
            "attempts": 1,
        }
        self.runs.insert(0, run)
        return run

    async def status(self, app_id: str, job: str = "", limit: int = 20) -> dict[str, Any]:
        runs = [r for r in self.runs if r["app_id"] == app_id and (not job or r["job"] == job)][:limit]
        return {"app_id": app_id, "job": job or None, "runs": runs}


CRON_ACTIONS = ("list", "trigger", "status")


@contextmanager
def serving(port: object, actions: tuple[str, ...], path: Path, name: str = "fake") -> Iterator[IpcServer]:
    """Serve `port`'s actions with a real IpcServer on `path`, from a thread with its own event loop (for
    synchronous tests, browsers and processes that call it)."""
    loop = asyncio.new_event_loop()
    server = IpcServer(path, actions_of(port, actions), name=name)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    if not ready.wait(10):
        raise RuntimeError(f"fake service on {path} did not start")
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.close(drain=1), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
