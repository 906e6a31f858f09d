"""The user-store port, shaped by the auth use cases (SQL from the app's auth queries behind it)."""

from __future__ import annotations

from typing import Any, Protocol

from domain.app import App
from domain.query.statement import Row


class UserDirectory(Protocol):
    async def by_login(self, app: App, email: str) -> Row | None:
        """The user row (with its password hash) for a normalised email."""
        ...

    async def login_key(self, app: App, email: str) -> str:
        """What identifies the account in the database and in throttles: the email, or its blind index when the
        login field is encrypted (so neither the rate-limit rows nor the logs hold the plain email)."""
        ...

    async def by_id(self, app: App, user_id: Any) -> Row | None:
        """The user as `/me` shows it."""
        ...

    async def create(self, app: App, values: dict[str, Any], role: str | None) -> Any:
        """Inserts the user and returns its id; Conflict if the email is taken."""
        ...

    async def set_password_hash(self, app: App, user_id: Any, password_hash: str) -> None: ...
