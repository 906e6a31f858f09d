"""Issuing a session: a signed access token and a rotating refresh token of one family."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from application.ports.auth_store import RefreshToken, RefreshTokens
from application.ports.clock import Clock
from application.ports.security import TokenCodec
from domain.app import App
from domain.errors import InternalError, Unauthorized
from domain.principal import Principal, user_id_from_sub


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    refresh_token: str
    expires_in: int
    principal: Principal
    user: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "user": self.user,
        }


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_from_row(app: App, row: dict[str, Any]) -> Principal:
    """Who the user row is, with the app's declared extra claims."""
    auth = app.auth
    assert auth is not None
    if row.get(auth.key) is None:
        raise InternalError(f"the login query of {app.name} returns no '{auth.key}' column")
    claims = {c: row.get(c) for c in auth.claims}
    role = row.get(auth.role_field) or app.settings.auth.default_role
    return Principal(
        user_id=user_id_from_sub(str(row[auth.key])),
        app=app.name,
        role=str(role),
        email=str(row.get(auth.login_field) or ""),
        name=str(row.get(auth.name_field) or ""),
        claims=claims,
        mark=password_mark(app, row.get(auth.password_field)),
    )


def password_mark(app: App, password_hash: Any) -> str:
    """A fingerprint of the stored password hash, keyed with the app's secret (it says nothing about the
    password): tokens carry it, so a new password makes every earlier token and refresh family stale."""
    if not isinstance(password_hash, str) or not password_hash:
        return ""
    return hmac.new(app.jwt_secret, b"pwv:" + password_hash.encode(), hashlib.sha256).hexdigest()[:16]


def family_mark(family: str) -> str | None:
    """The password mark a refresh family was started under (None: a family from before marks)."""
    _, dot, mark = family.partition(".")
    return mark if dot else None


class SessionIssuer:
    def __init__(self, codec: TokenCodec, refresh_tokens: RefreshTokens, clock: Clock) -> None:
        self._codec, self._refresh, self._clock = codec, refresh_tokens, clock

    async def issue(self, app: App, principal: Principal, user: dict[str, Any], family: str | None = None) -> Session:
        settings = app.settings.auth
        claims: dict[str, Any] = {
            "sub": str(principal.user_id),
            "email": principal.email,
            "name": principal.name,
            "app": app.name,
            "role": principal.role,
            **principal.claims,
        }
        if principal.mark:
            claims["pwv"] = principal.mark
        access = self._codec.issue(app.name, app.jwt_secret, claims, settings.jwt_expiry_seconds)
        refresh = secrets.token_urlsafe(32)
        now = int(self._clock.now())
        kept = await self._refresh.store(
            app.name,
            hash_refresh_token(refresh),
            RefreshToken(
                family=family or (secrets.token_hex(16) + (f".{principal.mark}" if principal.mark else "")),
                user_id=str(principal.user_id),
                access_jti=access.jti,
                expires_at=now + settings.refresh_expiry_seconds,
                access_expires_at=access.expires_at,
            ),
        )
        if not kept:
            raise Unauthorized("Invalid or expired refresh token")
        return Session(access.token, refresh, settings.jwt_expiry_seconds, principal, user)
