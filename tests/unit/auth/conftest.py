"""The auth use cases wired to fakes: one app `shop` with users Ana (user) and Root (admin)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from application.auth.authenticate import Authenticator
from application.auth.login import Login, LoginHandler
from application.auth.logout import LogoutHandler
from application.auth.me import MeHandler
from application.auth.refresh import RefreshHandler
from application.auth.register import RegisterHandler
from application.auth.session import SessionIssuer
from domain.app import App, AppSettings, AuthSettings, DatabaseSettings, RateLimitSettings
from domain.auth import AuthQueries, AuthQuery, RegisterSpec
from tests.fakes.auth import (
    FakeLister,
    FakeRateLimits,
    FakeRefreshTokens,
    FakeRevocations,
    FakeUserDirectory,
    FakeWelcome,
)
from tests.fakes.clock import FakeClock
from tests.fakes.logs import FakeLogSink
from tests.fakes.security import FakeTokenCodec, RecordingHasher

T0 = 1_800_000_000
ANA = {"id": 1, "email": "ana@shop.test", "name": "Ana", "role": "user", "org_id": 5, "password": "plain:ana-pass"}
ROOT = {"id": 2, "email": "root@shop.test", "name": "Root", "role": "admin", "org_id": None, "password": "plain:root"}


def make_app(
    name: str = "shop",
    *,
    register: bool = True,
    login_include: tuple[str, ...] = (),
    per_account: int = 5,
    per_ip: int = 20,
    with_auth: bool = True,
) -> App:
    auth = AuthQueries(
        login=AuthQuery("SELECT id, email, name, role, org_id, password FROM users WHERE email = :email"),
        me=AuthQuery("SELECT id, email, name, role, org_id FROM users WHERE id = :user_id"),
        register=RegisterSpec(fields=("email", "name", "password"), required=("email", "password"))
        if register
        else None,
        claims=("org_id",),
    )
    settings = AppSettings(
        app=name,
        hosts=(f"{name}.test",),
        database=DatabaseSettings(url="sqlite+aiosqlite://"),
        auth=AuthSettings(
            jwt_expiry="1h",
            refresh_expiry="30d",
            login_include=login_include,
            rate_limit=RateLimitSettings(login_per_account=per_account, login_per_ip=per_ip, window="60s"),
        ),
    )
    return App(settings=settings, resources={}, auth=auth if with_auth else None, jwt_secret=b"k" * 32)


@dataclass
class AuthWorld:
    app: App
    clock: FakeClock
    users: FakeUserDirectory
    hasher: RecordingHasher
    codec: FakeTokenCodec
    revocations: FakeRevocations
    refresh_tokens: FakeRefreshTokens
    throttle: FakeRateLimits
    logs: FakeLogSink
    lister: FakeLister
    welcome: FakeWelcome
    login: LoginHandler
    register: RegisterHandler
    refresh: RefreshHandler
    logout: LogoutHandler
    me: MeHandler
    authenticate: Authenticator

    def login_cmd(self, email: object = "ana@shop.test", password: object = "ana-pass", ip: str = "10.0.0.1") -> Login:
        return Login(self.app, email, password, ip)

    def events(self, name: str) -> list[dict[str, object]]:
        return [data for _, event, data, _ in self.logs.events if event == name]


@pytest.fixture
def world() -> AuthWorld:
    clock = FakeClock(T0)
    users = FakeUserDirectory(ANA, ROOT)
    hasher = RecordingHasher()
    codec = FakeTokenCodec(clock)
    revocations = FakeRevocations()
    refresh_tokens = FakeRefreshTokens(revocations)
    throttle, logs, lister, welcome = FakeRateLimits(), FakeLogSink(), FakeLister(), FakeWelcome()
    sessions = SessionIssuer(codec, refresh_tokens, clock)
    return AuthWorld(
        app=make_app(),
        clock=clock,
        users=users,
        hasher=hasher,
        codec=codec,
        revocations=revocations,
        refresh_tokens=refresh_tokens,
        throttle=throttle,
        logs=logs,
        lister=lister,
        welcome=welcome,
        login=LoginHandler(users, hasher, sessions, throttle, clock, logs, lister),
        register=RegisterHandler(users, hasher, sessions, logs, welcome, throttle, clock),
        refresh=RefreshHandler(users, refresh_tokens, sessions, clock, logs),
        logout=LogoutHandler(revocations, refresh_tokens, clock, logs),
        me=MeHandler(users),
        authenticate=Authenticator(codec, revocations),
    )
