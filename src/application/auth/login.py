"""Log a user in and hand back their tokens and starting data (the seed's enriched login)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from application.auth.session import Session, SessionIssuer, principal_from_row
from application.auth.users import UserDirectory
from application.ports.auth_store import LoginThrottle
from application.ports.clock import Clock
from application.ports.logs import LogSink
from application.ports.security import PasswordHasher
from domain.app import App
from domain.auth import normalize_email
from domain.errors import DomainError, InvalidCredentials, NotFound, RateLimited, field_error
from domain.principal import Principal
from domain.statement import Row


class ResourceLister(Protocol):
    async def everything(self, app: App, principal: Principal, resource: str) -> list[Row]:
        """Every row of `resource` the principal may see (used for `login_include`)."""
        ...


@dataclass(frozen=True, slots=True)
class Login:
    app: App
    email: Any
    password: Any
    client_ip: str


@dataclass(frozen=True, slots=True)
class LoginResult:
    session: Session
    included: dict[str, list[Row]]

    def as_dict(self) -> dict[str, Any]:
        return {**self.session.as_dict(), **self.included}


def throttle_keys(email: str, client_ip: str) -> list[str]:
    return [f"account:{email}", f"ip:{client_ip}"]


class LoginHandler:
    def __init__(
        self,
        users: UserDirectory,
        hasher: PasswordHasher,
        sessions: SessionIssuer,
        throttle: LoginThrottle,
        clock: Clock,
        logs: LogSink,
        lister: ResourceLister,
    ) -> None:
        self._users, self._hasher, self._sessions = users, hasher, sessions
        self._throttle, self._clock, self._logs, self._lister = throttle, clock, logs, lister

    async def __call__(self, cmd: Login) -> LoginResult:
        app = cmd.app
        if app.auth is None:
            raise NotFound("This app has no user accounts")
        if not isinstance(cmd.email, str) or not cmd.email.strip():
            raise field_error("email", "is required")
        if not isinstance(cmd.password, str) or not cmd.password:
            raise field_error("password", "is required")
        email = normalize_email(cmd.email)
        limits = app.settings.auth.rate_limit
        now = int(self._clock.now())
        keys = throttle_keys(email, cmd.client_ip)
        seen = await self._throttle.failures(app.name, keys, now - int(limits.window_seconds))
        if seen.get(keys[0], 0) >= limits.login_per_account or seen.get(keys[1], 0) >= limits.login_per_ip:
            await self._logs.log_event(app.name, "login_rate_limited", {"email": email, "ip": cmd.client_ip})
            raise RateLimited("Too many failed logins, try again later", retry_after=int(limits.window_seconds))

        row = await self._users.by_login(app, email)
        if row is not None and normalize_email(str(row.get(app.auth.login_field) or "")) != email:
            # a database collation may match a look-alike (MariaDB's *_ci: "anà" = "ana"); only the email itself signs in
            row = None
        stored = row.get(app.auth.password_field) if row else None
        # verify even for an unknown email, so timing does not reveal which emails exist
        check = await self._hasher.verify(stored if isinstance(stored, str) else None, cmd.password)
        if row is None or not check.valid:
            await self._throttle.record_failure(app.name, keys, now)
            await self._logs.log_event(app.name, "login_failed", {"email": email, "ip": cmd.client_ip})
            raise InvalidCredentials()

        principal = principal_from_row(app, row)
        if check.needs_rehash:
            await self._users.set_password_hash(app, principal.user_id, await self._hasher.hash(cmd.password))
        if seen.get(keys[0]):  # nothing to forget otherwise: spare the write on the hot path
            await self._throttle.clear(app.name, keys[0])
        session = await self._sessions.issue(app, principal, app.public_user(row))
        included: dict[str, list[Row]] = {}
        for name in app.settings.auth.login_include:
            try:
                included[name] = await self._lister.everything(app, principal, name)
            except (NotFound, DomainError) as exc:
                if exc.code not in ("NOT_FOUND", "FORBIDDEN"):
                    raise
        await self._logs.log_event(
            app.name, "login", {"user_id": principal.user_id, "email": email, "ip": cmd.client_ip}
        )
        return LoginResult(session, included)
