"""Ports for password hashing and access tokens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    needs_rehash: bool = False


class PasswordHasher(Protocol):
    """argon2id in a bounded worker pool; also verifies imported bcrypt hashes (which then need a rehash)."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        """With `stored_hash=None` it still spends the time of one verification (unknown accounts)."""
        ...


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    jti: str
    expires_at: int


class TokenCodec(Protocol):
    """Signs and verifies an app's access tokens (HS256 with the app's own secret)."""

    def issue(self, app: str, secret: bytes, claims: dict[str, Any], ttl: int) -> IssuedToken: ...

    def verify(
        self, app: str, secret: bytes, token: str, leeway: float, legacy_until: float | None = None
    ) -> Principal:
        """The principal, or Unauthorized saying why (expired, bad signature, wrong app...).

        `legacy_until`: a token without `jti` (the Go system's, integer `sub`) is accepted before this time, as a
        principal marked `legacy`; None refuses them.
        """
        ...
