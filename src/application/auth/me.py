"""The current user, read fresh from the app's database."""

from __future__ import annotations

from typing import Any

from application.auth.users import UserDirectory
from domain.app import App
from domain.errors import NotFound, Unauthorized
from domain.principal import Principal


class MeHandler:
    def __init__(self, users: UserDirectory) -> None:
        self._users = users

    async def __call__(self, app: App, principal: Principal) -> dict[str, Any]:
        if app.auth is None:
            raise NotFound("This app has no user accounts")
        user = await self._users.by_id(app, principal.user_id)
        if user is None:
            raise Unauthorized("This account no longer exists")
        return app.public_user(user)
