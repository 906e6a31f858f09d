"""Create a user account (argon2id) and sign it in; welcome mail when the app has that template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from application.auth.session import Session, SessionIssuer, principal_from_row
from application.auth.users import UserDirectory
from application.ports.logs import LogSink
from application.ports.security import PasswordHasher
from domain.app import App
from domain.auth import check_registration
from domain.errors import Forbidden, InternalError, NotFound


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
    ) -> None:
        self._users, self._hasher, self._sessions, self._logs = users, hasher, sessions, logs
        self._welcome = welcome

    async def __call__(self, cmd: Register) -> Session:
        app = cmd.app
        auth = app.auth
        if auth is None:
            raise NotFound("This app has no user accounts")
        if auth.register is None:
            raise Forbidden("Registration is closed for this app")
        values = check_registration(cmd.body, auth.register, auth.password_field, app.settings.auth.password_min_length)
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
            {"user_id": principal.user_id, "email": principal.email, "ip": cmd.client_ip},
        )
        await self._welcome.welcome(app, app.public_user(user))
        return session
