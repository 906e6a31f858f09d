"""Create a user account (argon2id) and sign it in; welcome mail when the app has that template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from application.auth.limits import take_slots
from application.auth.session import Session, SessionIssuer, principal_from_row
from application.auth.users import UserDirectory
from application.ports.auth_store import RateLimits, Refusal
from application.ports.clock import Clock
from application.ports.logs import LogSink
from application.ports.security import PasswordHasher
from domain.app import App
from domain.auth import check_registration
from domain.crypt import MASK
from domain.errors import Forbidden, InternalError, NotFound, RateLimited


class WelcomeMailer(Protocol):
    async def welcome(self, app: App, user: dict[str, Any]) -> None:
        """Queues the app's `welcome` mail for the new user, if the app has that template."""
        ...


class NoWelcomeMail:
    async def welcome(self, app: App, user: dict[str, Any]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Register:
    app: App
    body: dict[str, Any]
    client_ip: str


class RegisterHandler:
    def __init__(
        self,
        users: UserDirectory,
        hasher: PasswordHasher,
        sessions: SessionIssuer,
        logs: LogSink,
        welcome: WelcomeMailer,
        limits: RateLimits,
        clock: Clock,
    ) -> None:
        self._users, self._hasher, self._sessions, self._logs = users, hasher, sessions, logs
        self._welcome, self._limits, self._clock = welcome, limits, clock

    async def __call__(self, cmd: Register) -> Session:
        app = cmd.app
        auth = app.auth
        if auth is None:
            raise NotFound("This app has no user accounts")
        if auth.register is None:
            raise Forbidden("Registration is closed for this app")
        values = check_registration(cmd.body, auth.register, auth.password_field, app.settings.auth.password_min_length)
        await self._count_attempt(app, cmd.client_ip)
        if auth.password_field in values:
            values[auth.password_field] = await self._hasher.hash(values[auth.password_field])
        user_id = await self._users.create(app, values, app.settings.auth.default_role)
        user = await self._users.by_id(app, user_id)
        if user is None:
            raise InternalError("the new user cannot be read back (check the app's `me` query)")
        row = await self._users.by_login(app, str(values.get(auth.login_field, user.get(auth.login_field, ""))))
        principal = principal_from_row(app, row or {**user, auth.key: user_id})
        session = await self._sessions.issue(app, principal, app.public_user(user))
        await self._logs.log_event(
            app.name,
            "register",
            {"user_id": principal.user_id, "email": _shown(app, principal.email), "ip": cmd.client_ip},
        )
        await self._welcome.welcome(app, app.public_user(user))
        return session

    async def _count_attempt(self, app: App, client_ip: str) -> None:
        """Sign-ups per address and window are capped, each reserved before its argon2 hash: each one costs a hash
        and a row, and a flood of them would also probe which emails exist (a taken one answers 409)."""
        limits = app.settings.auth.rate_limit
        key = f"register-ip:{client_ip}"
        got = await take_slots(
            self._limits,
            app.name,
            [(key, limits.register_per_ip)],
            int(limits.window_seconds),
            int(self._clock.now()),
        )
        if isinstance(got, Refusal):
            await self._logs.log_event(app.name, "register_rate_limited", {"ip": client_ip})
            raise RateLimited("Too many sign-ups from this address, try again later", retry_after=got.retry_after)


def _shown(app: App, email: str) -> str:
    """The email as logged: `[encrypted]` when the users table encrypts it."""
    assert app.auth is not None
    table = app.schema.table(app.auth.table) if app.schema is not None else None
    return MASK if table is not None and app.auth.login_field in table.encrypted else email
