"""Who is calling: the verified claims of an access token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.identifiers import is_int_text


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: int | str
    app: str
    role: str
    email: str = ""
    name: str = ""
    jti: str = ""
    exp: int = 0
    iat: int = 0
    claims: dict[str, Any] = field(default_factory=dict)  # extra claims declared by the app (e.g. organization_id)
    # a keyed fingerprint of the password hash the token was issued under (claim `pwv`): a password change
    # makes it stale, and the token with it
    mark: str = ""
    legacy: bool = False  # a token of the Go system (no jti): revoked per user, see `revocation_key`

    @property
    def revocation_key(self) -> str:
        """What a revocation of this token is recorded under: its jti, or for a legacy token its user."""
        return legacy_revocation_key(self.user_id) if self.legacy else self.jti

    def bind_params(self) -> dict[str, Any]:
        """Values a query may use as `:user_id`, `:role`, or any extra claim (`:organization_id`)."""
        params = dict(self.claims)
        params["user_id"] = self.user_id
        params["role"] = self.role
        return params

    def claim_params(self) -> dict[str, Any]:
        """The app's claims a write takes from the token, never from the body, for columns named like them
        (e.g. `organization_id`). The caller's id is not one of them: it goes into the table's owner column only.

        A claim the caller does not have (None: e.g. a superadmin without an organization) binds nothing,
        so that caller sets the column like any other field.
        """
        return {k: v for k, v in self.claims.items() if v is not None}

    def public(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "app": self.app,
            **self.claims,
        }


def user_id_from_sub(sub: str) -> int | str:
    """JWT `sub` is a string; numeric ids become ints again so they bind as numbers."""
    return int(sub) if is_int_text(sub) else sub


def legacy_revocation_key(user_id: int | str) -> str:
    """The revocation entry refusing every legacy (jti-less) token of one user."""
    return f"legacy-user:{user_id}"
