"""HS256 access tokens with PyJWT: every other algorithm refused; verified tokens cached until they expire."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any

import jwt

from application.ports.security import IssuedToken
from domain.errors import Unauthorized
from domain.principal import Principal, user_id_from_sub

_RESERVED = {"sub", "email", "name", "app", "role", "exp", "iat", "jti", "nbf", "iss", "aud", "typ", "pwv"}
_CACHE_MAX = 20000


class JwtTokens:
    """Implements TokenCodec."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._cache: dict[str, tuple[bytes, Principal]] = {}

    def issue(self, app: str, secret: bytes, claims: dict[str, Any], ttl: int) -> IssuedToken:
        now = int(self._clock())
        jti = secrets.token_hex(16)
        payload = {**claims, "app": app, "iat": now, "exp": now + ttl, "jti": jti}
        token = jwt.encode(payload, secret, algorithm="HS256", headers={"typ": "JWT"})
        return IssuedToken(token, jti, now + ttl)

    def verify(
        self, app: str, secret: bytes, token: str, leeway: float, legacy_until: float | None = None
    ) -> Principal:
        cached = self._cache.get(token)
        now = self._clock()
        if cached is not None and cached[0] is secret and cached[1].app == app:
            principal = cached[1]
            if principal.legacy:
                _check_legacy(legacy_until, now)
            if principal.exp + leeway >= now:
                return principal
            del self._cache[token]
            raise Unauthorized("Token expired")
        principal = self._decode(app, secret, token, leeway, now, legacy_until)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[token] = (secret, principal)
        return principal

    def _decode(
        self, app: str, secret: bytes, token: str, leeway: float, now: float, legacy_until: float | None
    ) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthorized("Malformed token") from None
        if header.get("alg") != "HS256":
            raise Unauthorized("Token algorithm not accepted")
        try:
            claims = jwt.decode(
                token,
                secret,
                algorithms=["HS256"],
                leeway=leeway,
                # exp and iat are checked below against the injected clock (PyJWT would read the wall clock)
                # jti and sub are checked below: the Go system's tokens have no jti and an integer sub
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise Unauthorized("Invalid token signature") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthorized(f"Token lacks the '{exc.claim}' claim") from None
        except jwt.ImmatureSignatureError:
            raise Unauthorized("Token issued in the future") from None
        except jwt.PyJWTError:
            raise Unauthorized("Invalid token") from None
        if not isinstance(claims.get("exp"), int) or not isinstance(claims.get("iat"), int):
            raise Unauthorized("Invalid token")
        if claims["exp"] + leeway < now:
            raise Unauthorized("Token expired")
        if claims["iat"] - leeway > now:
            raise Unauthorized("Token issued in the future")
        if claims.get("app") != app:
            raise Unauthorized("Token belongs to another app")
        sub, jti = claims["sub"], claims.get("jti")
        legacy = jti is None
        if legacy:
            if legacy_until is None:
                raise Unauthorized("Token lacks the 'jti' claim")
            _check_legacy(legacy_until, now)
            if isinstance(sub, bool) or not isinstance(sub, int | str):
                raise Unauthorized("Invalid token")
        elif not isinstance(sub, str) or not isinstance(jti, str):
            raise Unauthorized("Invalid token")
        return Principal(
            user_id=user_id_from_sub(str(sub)),
            app=app,
            role=str(claims.get("role") or ""),
            email=str(claims.get("email") or ""),
            name=str(claims.get("name") or ""),
            jti="" if legacy else str(jti),
            exp=int(claims["exp"]),
            iat=int(claims["iat"]),
            claims={k: v for k, v in claims.items() if k not in _RESERVED},
            mark=str(claims.get("pwv") or ""),
            legacy=legacy,
        )


def _check_legacy(legacy_until: float | None, now: float) -> None:
    if legacy_until is None or now >= legacy_until:
        raise Unauthorized("Tokens of the previous system are no longer accepted: sign in again")
