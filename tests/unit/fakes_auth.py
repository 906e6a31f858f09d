"""Fakes of the auth ports (users, tokens, refresh tokens, revocations), keeping state for tests to assert on."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from application.auth.login import ResourceLister
from application.auth.register import WelcomeMailer
from application.auth.users import UserDirectory
from application.ports.auth_store import RefreshToken, RefreshTokens, RevocationList
from application.ports.security import IssuedToken, PasswordHasher, TokenCodec, Verification
from domain.app import App
from domain.errors import Conflict, Unauthorized
from domain.principal import Principal, user_id_from_sub
from domain.statement import Row
from tests.fakes import FakeClock, FakeHasher


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


class RecordingHasher(FakeHasher):
    """FakeHasher that remembers every hash it was asked to verify (None: the dummy for an unknown email)."""

    def __init__(self) -> None:
        self.verified: list[str | None] = []

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        self.verified.append(stored_hash)
        return await super().verify(stored_hash, password)


@dataclass
class FakeTokenCodec:
    """Tokens are `tok-N`; their claims are kept here. Verification checks the app and the expiry."""

    clock: FakeClock
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    _n: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def issue(self, app: str, secret: bytes, claims: dict[str, Any], ttl: int) -> IssuedToken:
        n = next(self._n)
        now = int(self.clock.now())
        token, jti = f"tok-{n}", f"jti-{n}"
        self.issued[token] = {**claims, "app": app, "iat": now, "exp": now + ttl, "jti": jti}
        return IssuedToken(token, jti, now + ttl)

    def verify(self, app: str, secret: bytes, token: str, leeway: float) -> Principal:
        claims = self.issued.get(token)
        if claims is None:
            raise Unauthorized("Invalid token")
        if claims["app"] != app:
            raise Unauthorized("Token belongs to another app")
        if claims["exp"] + leeway < self.clock.now():
            raise Unauthorized("Token expired")
        reserved = {"sub", "email", "name", "app", "role", "exp", "iat", "jti"}
        return Principal(
            user_id=user_id_from_sub(claims["sub"]),
            app=app,
            role=claims["role"],
            email=claims["email"],
            name=claims["name"],
            jti=claims["jti"],
            exp=claims["exp"],
            iat=claims["iat"],
            claims={k: v for k, v in claims.items() if k not in reserved},
        )


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

    async def store(self, app: str, token_hash: str, token: RefreshToken) -> None:
        self.stored[(app, token_hash)] = StoredRefresh(token)

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


_clock = FakeClock(0)
_users: UserDirectory = FakeUserDirectory()
_hasher: PasswordHasher = RecordingHasher()
_codec: TokenCodec = FakeTokenCodec(_clock)
_revocations: RevocationList = FakeRevocations()
_refresh: RefreshTokens = FakeRefreshTokens(FakeRevocations())
_lister: ResourceLister = FakeLister()
_welcome: WelcomeMailer = FakeWelcome()
