"""A token is honoured only while its account still is what the token says: active, same role, same claims
(e.g. organization), same password.

The account's row is read again through the app's own login query (which is where "active" lives: koprogo's says
`AND is_active = 1`) at most every `max_age` seconds per account and worker, so a change made by any path (the
API, the admin, a SQL console, a migration) is honoured by every worker and host within a second, at the cost of
one indexed lookup per active account per worker and `max_age`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from application.auth.session import principal_from_row
from application.auth.users import UserDirectory
from domain.app import App
from domain.auth import normalize_email
from domain.errors import DomainError, Unauthorized
from domain.principal import Principal

log = logging.getLogger("sogoms.auth")
MAX_AGE = 0.5  # seconds an account's state is trusted on one worker; with the request itself, well within 1 s
_MAX_ENTRIES = 50_000


class AccountCheck:
    def __init__(
        self,
        users: UserDirectory,
        max_age: float = MAX_AGE,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._users, self._max_age, self._clock, self._wall = users, max_age, clock, wall
        # (monotonic time asked, wall-clock time asked, the account then) per (app, email)
        self._seen: dict[tuple[str, str], tuple[float, float, Principal | None]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def __call__(self, app: App, token: Principal) -> None:
        """Unauthorized when the account behind `token` is gone, inactive, or changed since it was issued."""
        if app.auth is None:
            return
        email = normalize_email(token.email)
        now = await self._current(app, email)
        refusal = self._refusal(app, token, now)
        if refusal is not None and self._older_than(app, email, token):
            # the token was issued after this worker last read its account: it may carry the newer state (a sign-in
            # right after a password or role change); read again before refusing it
            refusal = self._refusal(app, token, await self._current(app, email, force=True))
        if refusal is not None:
            raise refusal

    def _older_than(self, app: App, email: str, token: Principal) -> bool:
        seen = self._seen.get((app.name, email))
        return seen is not None and token.iat > 0 and seen[1] < token.iat + 1  # iat has whole seconds

    def _refusal(self, app: App, token: Principal, now: Principal | None) -> Unauthorized | None:
        assert app.auth is not None
        if now is None or str(now.user_id) != str(token.user_id):
            return Unauthorized("This account is no longer active; sign in again")
        claims = app.auth.claims
        role_changed = now.role != token.role
        if token.legacy:  # the Go system's tokens: their role may be the default given them, their claims fewer
            claims = tuple(c for c in claims if c in token.claims)
            role_changed = role_changed and token.role != app.settings.auth.default_role
        if role_changed or any(_differs(now.claims.get(c), token.claims.get(c)) for c in claims):
            return Unauthorized("This account's role or organization changed since the token was issued; sign in again")
        if token.mark and now.mark != token.mark:
            return Unauthorized("The password changed since the token was issued; sign in again")
        return None

    async def _current(self, app: App, email: str, force: bool = False) -> Principal | None:
        key = (app.name, email)
        seen = self._seen.get(key)
        if not force and seen is not None and self._clock() - seen[0] < self._max_age:
            return seen[2]
        lock = self._locks.get(key)
        if lock is None:
            if len(self._locks) >= _MAX_ENTRIES:
                self._locks.clear()
                self._seen.clear()
            lock = self._locks[key] = asyncio.Lock()
        async with lock:  # one lookup per account at a time: a burst of its requests waits for the same answer
            seen = self._seen.get(key)
            if not force and seen is not None and self._clock() - seen[0] < self._max_age:
                return seen[2]
            asked, asked_wall = self._clock(), self._wall()  # as fresh as the moment it was asked for
            try:
                row = await self._users.by_login(app, email)
            except DomainError as exc:
                if seen is None:
                    raise
                # the request's own queries fail the same way; meanwhile the last known state stands
                # the email is not logged: it may be an encrypted field (docs/encryption.md), and the reason names the row
                log.warning("an account of %s not re-read: %s", app.name, exc.message)
                self._seen[key] = (self._clock(), seen[1], seen[2])
                return seen[2]
            current = None
            auth = app.auth
            if row is not None and auth is not None and normalize_email(str(row.get(auth.login_field) or "")) == email:
                current = principal_from_row(app, row)
            self._seen[key] = (asked, asked_wall, current)
            return current


def _differs(a: object, b: object) -> bool:
    """Claims went through JSON in the token: compare their text (1 == 1, Decimal('1') == 1, None == None)."""
    return str(a) != str(b)
