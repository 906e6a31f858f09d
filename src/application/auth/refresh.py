"""Trade a refresh token for a new pair; a replayed refresh token kills its whole family."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.auth.session import (
    Session,
    SessionIssuer,
    family_mark,
    hash_refresh_token,
    principal_from_row,
)
from application.auth.users import UserDirectory
from application.ports.auth_store import RefreshTokens
from application.ports.clock import Clock
from application.ports.logs import LogSink
from domain.app import App
from domain.errors import NotFound, Unauthorized, field_error
from domain.principal import user_id_from_sub


@dataclass(frozen=True, slots=True)
class Refresh:
    app: App
    refresh_token: Any


class RefreshHandler:
    def __init__(
        self,
        users: UserDirectory,
        refresh_tokens: RefreshTokens,
        sessions: SessionIssuer,
        clock: Clock,
        logs: LogSink,
    ) -> None:
        self._users, self._refresh, self._sessions, self._clock, self._logs = (
            users,
            refresh_tokens,
            sessions,
            clock,
            logs,
        )

    async def __call__(self, cmd: Refresh) -> Session:
        app = cmd.app
        if app.auth is None:
            raise NotFound("This app has no user accounts")
        if not isinstance(cmd.refresh_token, str) or not cmd.refresh_token:
            raise field_error("refresh_token", "is required")
        token = await self._refresh.consume(app.name, hash_refresh_token(cmd.refresh_token), int(self._clock.now()))
        if token is None:
            await self._logs.log_event(app.name, "refresh_refused", {})
            raise Unauthorized("Invalid or expired refresh token")
        user = await self._users.by_id(app, user_id_from_sub(token.user_id))
        login_field = app.auth.login_field
        row = await self._users.by_login(app, str(user.get(login_field, ""))) if user else None
        if user is None or row is None:
            await self._refresh.revoke_family(app.name, token.family, int(self._clock.now()))
            raise Unauthorized("This account no longer exists")
        principal = principal_from_row(app, row)
        started_under = family_mark(token.family)
        if started_under is not None and started_under != principal.mark:
            # the password changed since this family's sign-in: no refresh token of it mints a token again
            await self._refresh.revoke_family(app.name, token.family, int(self._clock.now()))
            await self._logs.log_event(app.name, "refresh_refused", {"reason": "password changed"})
            raise Unauthorized("The password changed since this session began; sign in again")
        return await self._sessions.issue(app, principal, app.public_user(user), family=token.family)
