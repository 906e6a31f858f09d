"""Who is calling: the verified claims of an access token."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .identifiers import is_int_text


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

    def bind_params(self) -> dict[str, Any]:
        """Values a query may use as `:user_id`, `:role`, or any extra claim (`:organization_id`)."""
        params = dict(self.claims)
        params["user_id"] = self.user_id
        params["role"] = self.role
        return params

    def owner_params(self) -> dict[str, Any]:
        """Columns a write takes from the token, never from the body: user_id and the app's claims.

        A claim the caller does not have (None: e.g. a superadmin without an organization) binds nothing,
        so that caller sets the column like any other field.
        """
        params = {k: v for k, v in self.claims.items() if v is not None}
        params["user_id"] = self.user_id
        return params

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
