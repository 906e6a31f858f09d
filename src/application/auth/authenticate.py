"""Turn an `Authorization: Bearer` header into a principal, or refuse it."""

from __future__ import annotations

from application.ports.auth_store import RevocationList
from application.ports.security import TokenCodec
from domain.app import App
from domain.errors import Unauthorized
from domain.principal import Principal


class Authenticator:
    def __init__(self, codec: TokenCodec, revocations: RevocationList) -> None:
        self._codec, self._revocations = codec, revocations

    async def __call__(self, app: App, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("Missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization must be 'Bearer <token>'")
        principal = self._codec.verify(app.name, app.jwt_secret, token.strip(), app.settings.auth.leeway_seconds)
        if app.auth is not None and principal.claims:
            declared = app.auth.claims
            if set(principal.claims) - set(declared):
                principal = _only_declared(principal, declared)
        if await self._revocations.is_revoked(app.name, principal.jti):
            raise Unauthorized("Token has been revoked")
        return principal


def _only_declared(p: Principal, declared: tuple[str, ...]) -> Principal:
    from dataclasses import replace

    return replace(p, claims={k: v for k, v in p.claims.items() if k in declared})
