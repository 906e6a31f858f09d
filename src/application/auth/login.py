"""Log a user in and hand back their tokens and starting data (the seed's enriched login)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any, Protocol

from application.auth.limits import give_back, take_slots
from application.auth.session import Session, SessionIssuer, principal_from_row
from application.auth.users import UserDirectory
from application.ports.auth_store import RateLimits, Refusal
from application.ports.clock import Clock
from application.ports.logs import LogSink
from application.ports.security import PasswordHasher
from domain.app import App
from domain.auth import MAX_PASSWORD_LENGTH, normalize_email
from domain.crypt import MASK
from domain.errors import DomainError, InvalidCredentials, NotFound, RateLimited, field_error
from domain.principal import Principal
from domain.query.statement import Row


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
        limits: RateLimits,
        clock: Clock,
        logs: LogSink,
        lister: ResourceLister,
    ) -> None:
        self._users, self._hasher, self._sessions = users, hasher, sessions
        self._limits, self._clock, self._logs, self._lister = limits, clock, logs, lister

    async def __call__(self, cmd: Login) -> LoginResult:
        app = cmd.app
        if app.auth is None:
            raise NotFound("This app has no user accounts")
        if not isinstance(cmd.email, str) or not cmd.email.strip():
            raise field_error("email", "is required")
        if not isinstance(cmd.password, str) or not cmd.password:
            raise field_error("password", "is required")
        if len(cmd.password) > MAX_PASSWORD_LENGTH:  # no account has one: refused before argon2 spends on it
            raise field_error("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")
        email = normalize_email(cmd.email)
        limits = app.settings.auth.rate_limit
        account = await self._users.login_key(app, email)
        shown = email if account == email else MASK  # an encrypted email is never logged nor stored in plain
        keys = throttle_keys(account, cmd.client_ip)
        # the attempt is counted before the password is checked: parallel guesses cannot all get through. The
        # account is looked up meanwhile (a read, in the same round trip): its row is used only once the slots
        # are taken
        lookup = asyncio.ensure_future(self._users.by_login(app, email))
        try:
            slots = await take_slots(
                self._limits,
                app.name,
                [(keys[0], limits.login_per_account), (keys[1], limits.login_per_ip)],
                int(limits.window_seconds),
                int(self._clock.now()),
            )
        except BaseException:
            await _drop(lookup)
            raise
        if isinstance(slots, Refusal):
            await _drop(lookup)
            await self._logs.log_event(app.name, "login_rate_limited", {"email": shown, "ip": cmd.client_ip})
            raise RateLimited("Too many failed logins, try again later", retry_after=slots.retry_after)
        try:
            row = await lookup
            if row is not None and normalize_email(str(row.get(app.auth.login_field) or "")) != email:
                # a database collation may match a look-alike (MariaDB's *_ci: "anà" = "ana"); only the email
                # itself signs in
                row = None
            stored = row.get(app.auth.password_field) if row else None
            # verify even for an unknown email, so timing does not reveal which emails exist
            check = await self._hasher.verify(stored if isinstance(stored, str) else None, cmd.password)
        except BaseException:
            await give_back(self._limits, app.name, slots)  # not an attempt at the password: it does not count
            raise
        if row is None or not check.valid:
            await self._logs.log_event(app.name, "login_failed", {"email": shown, "ip": cmd.client_ip})
            raise InvalidCredentials()

        # a success forgets the account's failures, and was never a failure of the address
        await self._limits.reset(app.name, keys[0])
        await give_back(self._limits, app.name, slots[1:])
        if check.needs_rehash:
            new_hash = await self._hasher.hash(cmd.password)
            await self._users.set_password_hash(app, principal_from_row(app, row).user_id, new_hash)
            row = {**row, app.auth.password_field: new_hash}  # the token is marked with the hash now stored
        principal = principal_from_row(app, row)
        session = await self._sessions.issue(app, principal, app.public_user(row))
        names = app.settings.auth.login_include
        # the lists are independent reads: all in flight at once (one round trip over the socket, not one each)
        async with asyncio.TaskGroup() as group:  # one failing list cancels the others
            tasks = [group.create_task(self._included(app, principal, name)) for name in names]
        included = {name: rows for name, task in zip(names, tasks, strict=True) if (rows := task.result()) is not None}
        await self._logs.log_event(
            app.name, "login", {"user_id": principal.user_id, "email": shown, "ip": cmd.client_ip}
        )
        return LoginResult(session, included)

    async def _included(self, app: App, principal: Principal, name: str) -> list[Row] | None:
        """One `login_include` list; None when the role may not list it (the login still succeeds)."""
        try:
            return await self._lister.everything(app, principal, name)
        except (NotFound, DomainError) as exc:
            if exc.code not in ("NOT_FOUND", "FORBIDDEN"):
                raise
            return None


async def _drop(task: asyncio.Future[Any]) -> None:
    """Cancel a look-up whose answer is no longer wanted, and swallow whatever it ended with."""
    task.cancel()
    with contextlib.suppress(BaseException):
        await task
