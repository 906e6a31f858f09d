"""Ports for the server-side state of auth: revoked tokens, refresh-token families, rate limits.

All of it lives in the app's own database (tables prefixed `sogoms_`), so it holds across
gateway workers, hosts and restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class RevocationList(Protocol):
    async def revoke(self, app: str, jti: str, expires_at: int) -> None: ...

    async def is_revoked(self, app: str, jti: str) -> bool:
        """True when revoked on any worker or host (seen within one second)."""
        ...


@dataclass(frozen=True, slots=True)
class RefreshToken:
    family: str
    user_id: str
    access_jti: str
    expires_at: int
    access_expires_at: int = 0


class RefreshTokens(Protocol):
    async def store(self, app: str, token_hash: str, token: RefreshToken) -> bool:
        """Keeps a new token of `token.family`. False when that family was revoked meanwhile (a replay seen at
        the same moment on another worker or host): the new token is then revoked with it and must not be used."""
        ...

    async def consume(self, app: str, token_hash: str, now: int, owner: str | None = None) -> RefreshToken | None:
        """Marks the token used and returns it; None if unknown, expired, revoked or already used.

        A token that was already used is a replay: its whole family is revoked first.
        With `owner`, a token of any other user is left untouched (and None returned).
        """
        ...

    async def revoke_family(self, app: str, family: str, now: int) -> None:
        """Revokes every refresh token of the family and the access tokens issued with them."""
        ...

    async def family_of_access(self, app: str, access_jti: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Slot:
    """One attempt taken out of a bucket's allowance at `taken_at` (epoch seconds) for a `window`."""

    bucket: str
    taken_at: int
    window: int


@dataclass(frozen=True, slots=True)
class Refusal:
    """The bucket is full: try again in `retry_after` seconds (when its window ends)."""

    bucket: str
    retry_after: int


class RateLimits(Protocol):
    """Attempts per bucket and window, reserved atomically in the database *before* the work they limit.

    `reserve` is one compare-and-set on the bucket's row, so parallel requests on any number of workers and
    hosts never take more than `limit` slots of one window between them.
    """

    async def reserve(self, scope: str, bucket: str, limit: int, window: int, now: int) -> Slot | Refusal: ...

    async def release(self, scope: str, slot: Slot) -> None:
        """Gives a slot back (the attempt turned out not to count, e.g. a login that succeeded)."""
        ...

    async def reset(self, scope: str, bucket: str) -> None:
        """Forgets the bucket (a successful login clears its account's failures)."""
        ...
