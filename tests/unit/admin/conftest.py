"""An admin wired to fakes: accounts, sessions, services, cron and an audit sink to inspect."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from application.admin.audit import Actor, Auditor
from application.admin.sessions import AdminSessions
from domain.admin import AdminUser, LoginRateLimit, Role, SessionSettings
from tests.fakes.admin import FakeAdminUsers, FakeRandomness, FakeSessionStore
from tests.fakes.auth import FakeRateLimits
from tests.fakes.clock import FakeClock
from tests.fakes.logs import FakeLogSink
from tests.fakes.security import FakeHasher

BOSS = AdminUser("boss", "plain:boss-password", Role.SUPER_ADMIN)
ANN = AdminUser(
    "ann", "plain:ann-password", Role.APP_ADMIN, apps=("prokov",), permissions=("queries:read", "logs:read")
)


@dataclass
class World:
    clock: FakeClock
    logs: FakeLogSink
    users: FakeAdminUsers
    store: FakeSessionStore
    throttle: FakeRateLimits
    auditor: Auditor
    sessions: AdminSessions


@pytest.fixture
def world() -> World:
    clock, logs, users = FakeClock(1_700_000_000), FakeLogSink(), FakeAdminUsers(BOSS, ANN)
    store, throttle = FakeSessionStore(), FakeRateLimits()
    auditor = Auditor(logs)
    sessions = AdminSessions(
        users,
        store,
        FakeHasher(),
        throttle,
        clock,
        FakeRandomness(),
        auditor,
        SessionSettings(idle_timeout="30m", absolute_timeout="12h"),
        LoginRateLimit(login_max=5, login_window="60s"),
    )
    return World(clock, logs, users, store, throttle, auditor, sessions)


@pytest.fixture
def boss() -> Actor:
    return Actor(BOSS, "127.0.0.1")


@pytest.fixture
def ann() -> Actor:
    return Actor(ANN, "127.0.0.1")
