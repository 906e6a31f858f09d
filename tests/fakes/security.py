"""Password hashing and tokens."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from application.ports.security import IssuedToken, PasswordHasher, TokenCodec, Verification
from domain.errors import Unauthorized
from domain.principal import Principal, user_id_from_sub
from tests.fakes.clock import FakeClock


class FakeHasher:
    """`hash(p)` is 'plain:' + p; a 'bcrypt:' prefix stands for an old hash that verifies and needs a rehash."""

    async def hash(self, password: str) -> str:
        return "plain:" + password

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        if stored_hash is None:
            return Verification(False)
        if stored_hash.startswith("bcrypt:"):
            ok = stored_hash == "bcrypt:" + password
            return Verification(ok, needs_rehash=ok)
        return Verification(stored_hash == "plain:" + password)


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

    def verify(
        self, app: str, secret: bytes, token: str, leeway: float, legacy_until: float | None = None
    ) -> Principal:
        claims = self.issued.get(token)
        if claims is None:
            raise Unauthorized("Invalid token")
        if claims["app"] != app:
            raise Unauthorized("Token belongs to another app")
        if claims["exp"] + leeway < self.clock.now():
            raise Unauthorized("Token expired")
        reserved = {"sub", "email", "name", "app", "role", "exp", "iat", "jti", "pwv"}
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
            mark=claims.get("pwv", ""),
        )


# the fakes fit their ports (mypy checks these)
_hasher: PasswordHasher = FakeHasher()
_recording: PasswordHasher = RecordingHasher()
_codec: TokenCodec = FakeTokenCodec(FakeClock(0))
