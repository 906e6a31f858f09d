"""Revocations and refresh-token families, in the app's own database (tables `sogoms_*`).

Written as portable SQL over the Database port, so it works in-process and through sogoms-db alike.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from application.ports.auth_store import RefreshToken
from application.ports.database import Database
from domain.errors import DomainError
from domain.query.statement import Row

log = logging.getLogger("sogoms.auth")

POLL_INTERVAL = 0.5  # every worker sees a revocation made elsewhere within this (plus one query)


class _AppRevocations:
    __slots__ = ("denied", "loaded", "lock", "refreshed_at", "since")

    def __init__(self) -> None:
        self.denied: dict[str, int] = {}
        self.since = 0
        self.refreshed_at = 0.0
        self.loaded = False
        self.lock = asyncio.Lock()


class SqlRevocationList:
    """Implements RevocationList: a local copy of the app's revoked jtis, refreshed at most every 0.5 s."""

    def __init__(self, database: Database, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock
        self._apps: dict[str, _AppRevocations] = {}

    async def revoke(self, app: str, jti: str, expires_at: int) -> None:
        now = int(self._clock())
        await self._db.insert(
            app,
            "INSERT INTO sogoms_revoked_tokens (jti, expires_at, revoked_at) "
            "SELECT :jti, :exp, :now WHERE NOT EXISTS (SELECT 1 FROM sogoms_revoked_tokens WHERE jti = :jti)",
            {"jti": jti, "exp": expires_at, "now": now},
        )
        self._state(app).denied[jti] = expires_at

    def _state(self, app: str) -> _AppRevocations:
        state = self._apps.get(app)
        if state is None:
            state = self._apps[app] = _AppRevocations()
        return state

    async def is_revoked(self, app: str, jti: str) -> bool:
        state = self._state(app)
        if jti in state.denied:
            return True
        if time.monotonic() - state.refreshed_at >= POLL_INTERVAL:
            await self._refresh(app, state)
        return jti in state.denied

    async def _refresh(self, app: str, state: _AppRevocations) -> None:
        async with state.lock:
            if time.monotonic() - state.refreshed_at < POLL_INTERVAL:
                return
            now = int(self._clock())
            # overlap the previous poll by a few seconds: revocations from hosts with a skewed clock, or
            # written in the same second, are read again rather than missed
            since = state.since - 5 if state.loaded else 0
            try:
                rows = await self._db.query(
                    app,
                    "SELECT jti, expires_at FROM sogoms_revoked_tokens WHERE revoked_at >= :since AND expires_at >= :now",
                    {"since": since, "now": now - 60},
                )
            except DomainError as exc:
                if not state.loaded:
                    raise
                # keep the last known list; logouts cannot be written while the database is down either
                log.warning("revocation list of %s not refreshed: %s", app, exc.message)
                state.refreshed_at = time.monotonic()
                return
            for r in rows:
                state.denied[str(r["jti"])] = int(r["expires_at"])
            state.since = now
            if len(state.denied) > 10000:
                state.denied = {k: v for k, v in state.denied.items() if v >= now - 60}
            state.loaded = True
            state.refreshed_at = time.monotonic()


class SqlRefreshTokens:
    """Implements RefreshTokens: rotation with replay detection per family."""

    def __init__(self, database: Database, revocations: SqlRevocationList) -> None:
        self._db, self._revocations = database, revocations

    async def store(self, app: str, token_hash: str, token: RefreshToken) -> bool:
        await self._db.insert(
            app,
            "INSERT INTO sogoms_refresh_tokens (token_hash, family, user_id, access_jti, access_expires_at, "
            "expires_at) VALUES (:h, :family, :user_id, :jti, :access_exp, :exp)",
            {
                "h": token_hash,
                "family": token.family,
                "user_id": token.user_id,
                "jti": token.access_jti,
                "access_exp": token.access_expires_at,
                "exp": token.expires_at,
            },
        )
        # A replay seen at the same moment elsewhere (another worker, host or Galera node) may have revoked the
        # family between our rotation's claim and this insert, missing the new row: look, after the insert.
        # Either the revocation is seen here, or it started late enough for its own second sweep to see this row.
        revoked = await self._db.query_one(
            app,
            "SELECT revoked_at FROM sogoms_refresh_tokens WHERE family = :f AND revoked_at IS NOT NULL LIMIT 1",
            {"f": token.family},
        )
        if revoked is None:
            return True
        await self.revoke_family(app, token.family, int(revoked["revoked_at"]))
        return False

    async def consume(self, app: str, token_hash: str, now: int, owner: str | None = None) -> RefreshToken | None:
        # with an owner, another user's token is neither marked used nor taken for a replay
        mine = "" if owner is None else " AND user_id = :owner"
        params: dict[str, object] = {"h": token_hash, "now": now} | ({} if owner is None else {"owner": owner})
        claimed = await self._db.update(
            app,
            "UPDATE sogoms_refresh_tokens SET used_at = :now WHERE token_hash = :h AND used_at IS NULL "
            "AND revoked_at IS NULL AND expires_at > :now" + mine,
            params,
        )
        row = await self._db.query_one(
            app,
            "SELECT family, user_id, access_jti, expires_at, used_at, revoked_at FROM sogoms_refresh_tokens "
            "WHERE token_hash = :h" + mine,
            {k: v for k, v in params.items() if k != "now"},
        )
        if row is None:
            return None
        token = RefreshToken(str(row["family"]), str(row["user_id"]), str(row["access_jti"]), int(row["expires_at"]))
        if claimed.affected_rows == 1:
            return token
        if row["used_at"] is not None and row["revoked_at"] is None:
            log.warning("refresh token replay in app %s: family %s revoked", app, token.family)
            await self.revoke_family(app, token.family, now)
        return None

    async def revoke_family(self, app: str, family: str, now: int) -> None:
        members: list[Row] = []
        for _ in range(3):
            await self._db.update(
                app,
                "UPDATE sogoms_refresh_tokens SET revoked_at = :now WHERE family = :f AND revoked_at IS NULL",
                {"f": family, "now": now},
            )
            # read after the update: a member added by a rotation racing with this one (on another node, its
            # insert not applied here when the update ran) shows up unrevoked, and is swept by another pass
            members = await self._db.query(
                app,
                "SELECT access_jti, access_expires_at, expires_at, revoked_at FROM sogoms_refresh_tokens "
                "WHERE family = :f",
                {"f": family},
            )
            if all(m["revoked_at"] is not None for m in members):
                break
        for m in members:
            until = int(m["access_expires_at"] or 0) or int(m["expires_at"])
            if until > now:
                await self._revocations.revoke(app, str(m["access_jti"]), until)

    async def family_of_access(self, app: str, access_jti: str) -> str | None:
        row = await self._db.query_one(
            app, "SELECT family FROM sogoms_refresh_tokens WHERE access_jti = :jti", {"jti": access_jti}
        )
        return str(row["family"]) if row else None
