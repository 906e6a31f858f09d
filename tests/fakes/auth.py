"""The auth ports: users, refresh tokens, revocations, rate limits, the lister and the welcome mail."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from application.auth.login import ResourceLister
from application.auth.register import WelcomeMailer
from application.auth.users import UserDirectory
from application.ports.auth_store import RateLimits, RefreshToken, RefreshTokens, Refusal, RevocationList, Slot
from domain.app import App
from domain.errors import Conflict
from domain.principal import Principal
from domain.query.statement import Row


class FakeUserDirectory:
    """Users by id; `by_login` answers with the password column, `by_id` (the `me` query) without it."""

    def __init__(self, *users: Row) -> None:
        self.rows: dict[Any, Row] = {u["id"]: dict(u) for u in users}
        self.lookups: list[str] = []
        self.created: list[tuple[dict[str, Any], str | None]] = []
        self._ids = itertools.count(max(self.rows, default=0) + 1)

    async def by_login(self, app: App, email: str) -> Row | None:
        self.lookups.append(email)
        return next((dict(r) for r in self.rows.values() if r["email"] == email), None)

    async def login_key(self, app: App, email: str) -> str:
        return email

    async def by_id(self, app: App, user_id: Any) -> Row | None:
        row = self.rows.get(user_id)
        return {k: v for k, v in row.items() if k != "password"} if row else None

    async def create(self, app: App, values: dict[str, Any], role: str | None) -> Any:
        if any(r["email"] == values.get("email") for r in self.rows.values()):
            raise Conflict("A record with this email already exists")
        self.created.append((dict(values), role))
        user_id = next(self._ids)
        self.rows[user_id] = {"id": user_id, "name": "", **values, "role": role}
        return user_id

    async def set_password_hash(self, app: App, user_id: Any, password_hash: str) -> None:
        self.rows[user_id]["password"] = password_hash


@dataclass
class FakeRevocations:
    denied: dict[tuple[str, str], int] = field(default_factory=dict)

    async def revoke(self, app: str, jti: str, expires_at: int) -> None:
        self.denied[(app, jti)] = expires_at

    async def is_revoked(self, app: str, jti: str) -> bool:
        return (app, jti) in self.denied


@dataclass
class StoredRefresh:
    token: RefreshToken
    used: bool = False
    revoked: bool = False


@dataclass
class FakeRefreshTokens:
    """The RefreshTokens contract: single use; a replayed token revokes its whole family and its access tokens."""

    revocations: FakeRevocations
    stored: dict[tuple[str, str], StoredRefresh] = field(default_factory=dict)

    async def store(self, app: str, token_hash: str, token: RefreshToken) -> bool:
        self.stored[(app, token_hash)] = StoredRefresh(token)
        if any(s.revoked for s in self.family(token.family)):  # revoked meanwhile: so is the new one
            await self.revoke_family(app, token.family, 0)
            return False
        return True

    async def consume(self, app: str, token_hash: str, now: int, owner: str | None = None) -> RefreshToken | None:
        found = self.stored.get((app, token_hash))
        if found is None or (owner is not None and found.token.user_id != owner):
            return None
        if not found.used and not found.revoked and found.token.expires_at > now:
            found.used = True
            return found.token
        if found.used and not found.revoked:
            await self.revoke_family(app, found.token.family, now)
        return None

    async def revoke_family(self, app: str, family: str, now: int) -> None:
        for (a, _), s in self.stored.items():
            if a == app and s.token.family == family:
                s.revoked = True
                until = s.token.access_expires_at or s.token.expires_at
                if until > now:
                    await self.revocations.revoke(app, s.token.access_jti, until)

    async def family_of_access(self, app: str, access_jti: str) -> str | None:
        return next(
            (s.token.family for (a, _), s in self.stored.items() if a == app and s.token.access_jti == access_jti),
            None,
        )

    def family(self, family: str) -> list[StoredRefresh]:
        return [s for s in self.stored.values() if s.token.family == family]


class FakeRateLimits:
    """Buckets in memory, with the same window rules as the SQL adapter (a window starts at its first attempt)."""

    def __init__(self) -> None:
        self.buckets: dict[str, tuple[int, int]] = {}  # bucket -> (window_start, hits)
        self.refused = 0

    async def reserve(self, scope: str, bucket: str, limit: int, window: int, now: int) -> Slot | Refusal:
        start, hits = self.buckets.get(bucket, (now, 0))
        if start <= now - window:
            start, hits = now, 0
        if hits >= limit:
            self.refused += 1
            return Refusal(bucket, max(1, start + window - now))
        self.buckets[bucket] = (start, hits + 1)
        return Slot(bucket, now, window)

    async def release(self, scope: str, slot: Slot) -> None:
        start, hits = self.buckets.get(slot.bucket, (0, 0))
        if hits > 0 and start > slot.taken_at - slot.window:
            self.buckets[slot.bucket] = (start, hits - 1)

    async def reset(self, scope: str, bucket: str) -> None:
        self.buckets.pop(bucket, None)

    def hits(self, bucket: str) -> int:
        return self.buckets.get(bucket, (0, 0))[1]


@dataclass
class FakeLister:
    rows: dict[str, list[Row]] = field(default_factory=dict)
    asked: list[tuple[str, Principal]] = field(default_factory=list)

    async def everything(self, app: App, principal: Principal, resource: str) -> list[Row]:
        self.asked.append((resource, principal))
        return [dict(r) for r in self.rows.get(resource, [])]


@dataclass
class FakeWelcome:
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def welcome(self, app: App, user: dict[str, Any]) -> None:
        self.sent.append(user)


# the fakes fit their ports (mypy checks these)
_users: UserDirectory = FakeUserDirectory()
_revocations: RevocationList = FakeRevocations()
_refresh: RefreshTokens = FakeRefreshTokens(FakeRevocations())
_rate_limits: RateLimits = FakeRateLimits()
_lister: ResourceLister = FakeLister()
_welcome: WelcomeMailer = FakeWelcome()
