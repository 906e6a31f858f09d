"""Ports for the server-side state of auth: revoked tokens, refresh-token families, login failures.

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
    async def store(self, app: str, token_hash: str, token: RefreshToken) -> None: ...

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


class LoginThrottle(Protocol):
    async def failures(self, app: str, keys: list[str], since: int) -> dict[str, int]: ...

    async def record_failure(self, app: str, keys: list[str], now: int) -> None: ...

    async def clear(self, app: str, key: str) -> None: ...
