"""The UserDirectory port over the Database port, with the SQL of the app's auth queries."""

from __future__ import annotations

from typing import Any

from application.ports.database import Database
from domain.app import App
from domain.auth import AuthQueries
from domain.errors import Conflict, InternalError, NotFound
from domain.statement import Row


def _auth(app: App) -> AuthQueries:
    if app.auth is None:
        raise NotFound("This app has no user accounts")
    return app.auth


class SqlUserDirectory:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def by_login(self, app: App, email: str) -> Row | None:
        stmt = _auth(app).login_statement(email)
        return await self._db.query_one(app.name, stmt.sql, stmt.params)

    async def by_id(self, app: App, user_id: Any) -> Row | None:
        stmt = _auth(app).me_statement(user_id)
        return await self._db.query_one(app.name, stmt.sql, stmt.params)

    async def create(self, app: App, values: dict[str, Any], role: str | None) -> Any:
        stmt = _auth(app).register_statement(values, role)
        try:
            result = await self._db.insert(app.name, stmt.sql, stmt.params)
        except Conflict:
            raise Conflict("An account with this email already exists") from None
        if result.insert_id is None:
            raise InternalError("the users table gave no id for the new account")
        return result.insert_id

    async def set_password_hash(self, app: App, user_id: Any, password_hash: str) -> None:
        stmt = _auth(app).password_update(user_id, password_hash)
        await self._db.update(app.name, stmt.sql, stmt.params)
