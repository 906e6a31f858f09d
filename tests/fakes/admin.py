"""The admin console's ports: admin users, sessions, randomness, service/cron/inbound control, database probe."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from typing import Any

from application.admin.ports import (
    AdminUsers,
    CronControl,
    DatabaseProbe,
    DbTarget,
    InboundControl,
    Randomness,
    ServiceControl,
    ServiceState,
    SessionStore,
)
from domain.admin import AdminSession, AdminUser
from domain.app import DatabaseSettings
from domain.errors import NotFound, Unavailable


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

    def sharing(self, target: DbTarget, apps: dict[str, DatabaseSettings]) -> tuple[list[str], list[str]]:
        """By names only: a URL ending in the same file name, or the same host and database / host and user."""
        if target.kind == "sqlite":
            return sorted(a for a, s in apps.items() if s.url.endswith("/" + target.sqlite_file)), []
        same = sorted(a for a, s in apps.items() if (s.host, s.name) == (target.host, target.name))
        account = sorted(a for a, s in apps.items() if (s.host, s.user) == (target.host, target.user) and a not in same)
        return same, account


class FakeInboundControl:
    """sogoms-imap's watchers and sogoms-mailproc's messages as given; `down` makes every call Unavailable."""

    def __init__(
        self, watchers: list[dict[str, Any]] | None = None, messages: list[dict[str, Any]] | None = None
    ) -> None:
        self._watchers, self._messages = watchers or [], messages or []
        self.down = False
        self.retried: list[tuple[str, int]] = []

    def _check(self) -> None:
        if self.down:
            from domain.errors import Unavailable

            raise Unavailable("the service is unavailable")

    async def watchers(self) -> list[dict[str, Any]]:
        self._check()
        return list(self._watchers)

    async def messages(self, app_id: str, limit: int = 50) -> list[dict[str, Any]]:
        self._check()
        return self._messages[:limit]

    async def retry(self, app_id: str, message: int) -> None:
        self._check()
        self.retried.append((app_id, message))


# the fakes fit their ports (mypy checks these)
_users: AdminUsers = FakeAdminUsers()
_sessions: SessionStore = FakeSessionStore()
_random: Randomness = FakeRandomness()
_control: ServiceControl = FakeServiceControl()
_cron: CronControl = FakeCronControl()
_probe: DatabaseProbe = FakeDatabaseProbe()
_inbound: InboundControl = FakeInboundControl()
