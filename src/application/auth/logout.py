"""Log out: the access token is denied until it expires, and its refresh family is revoked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.auth.session import hash_refresh_token
from application.ports.auth_store import RefreshTokens, RevocationList
from application.ports.clock import Clock
from application.ports.logs import LogSink
from domain.app import App
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class Logout:
    app: App
    principal: Principal
    refresh_token: Any = None
    client_ip: str = ""


class LogoutHandler:
    def __init__(self, revocations: RevocationList, refresh_tokens: RefreshTokens, clock: Clock, logs: LogSink) -> None:
        self._revocations, self._refresh, self._clock, self._logs = revocations, refresh_tokens, clock, logs

    async def __call__(self, cmd: Logout) -> None:
        app, p = cmd.app.name, cmd.principal
        now = int(self._clock.now())
        if p.legacy:
            # a Go token has no jti: every legacy token of this user is refused from now on (until none is accepted)
            until = cmd.app.settings.auth.legacy_until
            await self._revocations.revoke(app, p.revocation_key, int(until) if until is not None else p.exp)
            await self._logs.log_event(app, "logout", {"user_id": p.user_id, "ip": cmd.client_ip, "legacy": True})
            return
        await self._revocations.revoke(app, p.jti, p.exp)
        family = await self._refresh.family_of_access(app, p.jti)
        if family is not None:
            await self._refresh.revoke_family(app, family, now)
        if isinstance(cmd.refresh_token, str) and cmd.refresh_token:
            # only the caller's own refresh token: another user's must stay usable (and not look replayed)
            other = await self._refresh.consume(app, hash_refresh_token(cmd.refresh_token), now, owner=str(p.user_id))
            if other is not None:
                await self._refresh.revoke_family(app, other.family, now)
        await self._logs.log_event(app, "logout", {"user_id": p.user_id, "ip": cmd.client_ip})
