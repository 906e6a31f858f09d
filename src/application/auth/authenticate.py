"""Turn an `Authorization: Bearer` header into a principal, or refuse it."""

from __future__ import annotations

from dataclasses import replace

from application.auth.account_check import AccountCheck
from application.ports.auth_store import RevocationList
from application.ports.security import TokenCodec
from domain.app import App
from domain.errors import Unauthorized
from domain.principal import Principal


class Authenticator:
    def __init__(self, codec: TokenCodec, revocations: RevocationList, accounts: AccountCheck | None = None) -> None:
        self._codec, self._revocations, self._accounts = codec, revocations, accounts

    async def __call__(self, app: App, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized("Missing bearer token")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Authorization must be 'Bearer <token>'")
        auth = app.settings.auth
        principal = self._codec.verify(app.name, app.jwt_secret, token.strip(), auth.leeway_seconds, auth.legacy_until)
        if principal.legacy and not principal.role:
            principal = replace(principal, role=auth.default_role)  # the Go system's tokens carry no role
        if app.auth is not None and principal.claims:
            declared = app.auth.claims
            if set(principal.claims) - set(declared):
                principal = _only_declared(principal, declared)
        if await self._revocations.is_revoked(app.name, principal.revocation_key):
            raise Unauthorized("Token has been revoked")
        if self._accounts is not None:
            await self._accounts(app, principal)
        return principal


def _only_declared(p: Principal, declared: tuple[str, ...]) -> Principal:
    return replace(p, claims={k: v for k, v in p.claims.items() if k in declared})
