"""The UserDirectory port over the Database port, with the SQL of the app's auth queries.

When the users table encrypts fields (schema.yaml), they are sealed on sign-up and opened on every read; an
encrypted login field is looked up by its blind index (the login query compares the `_bidx` column).
"""

from __future__ import annotations

from typing import Any

from application.crypt.ports import FieldSealing
from application.ports.database import Database
from domain.app import App
from domain.auth import AuthQueries
from domain.crypt import bind_statement
from domain.errors import Conflict, InternalError, NotFound
from domain.query.statement import Row
from domain.schema.model import Table


def _auth(app: App) -> AuthQueries:
    if app.auth is None:
        raise NotFound("This app has no user accounts")
    return app.auth


def _users_table(app: App) -> Table | None:
    table = app.schema.table(_auth(app).table) if app.schema is not None else None
    return table if table is not None and table.encrypted else None


class SqlUserDirectory:
    def __init__(self, database: Database, sealer: FieldSealing) -> None:
        self._db = database
        self._sealer = sealer

    async def login_key(self, app: App, email: str) -> str:
        """What the login query compares (and what throttles an account): the email, or its blind index."""
        auth, table = _auth(app), _users_table(app)
        if table is None or auth.login_field not in table.encrypted:
            return email
        return await self._sealer.index(app.name, table, auth.login_field, email)

    async def by_login(self, app: App, email: str) -> Row | None:
        stmt = _auth(app).login_statement(await self.login_key(app, email))
        return await self._opened(app, await self._db.query_one(app.name, stmt.sql, stmt.params))

    async def by_id(self, app: App, user_id: Any) -> Row | None:
        stmt = _auth(app).me_statement(user_id)
        return await self._opened(app, await self._db.query_one(app.name, stmt.sql, stmt.params))

    async def _opened(self, app: App, row: Row | None) -> Row | None:
        table = _users_table(app)
        if row is not None and table is not None:
            await self._sealer.open(app.name, table, [row], _auth(app).key)
        return row

    async def create(self, app: App, values: dict[str, Any], role: str | None) -> Any:
        auth, table = _auth(app), _users_table(app)
        stored = await self._sealer.seal(app.name, table, values, None) if table is not None else values
        stmt = auth.register_statement(stored, role)
        try:
            result = await self._db.insert(app.name, stmt.sql, stmt.params)
        except Conflict:
            raise Conflict("An account with this email already exists") from None
        if result.insert_id is None:
            raise InternalError("the users table gave no id for the new account")
        if table is not None and self._sealer.needs_binding(table, values):
            bound = await self._sealer.bound(app.name, table, values, result.insert_id)
            bind = bind_statement(table.name, auth.key, result.insert_id, bound)
            await self._db.update(app.name, bind.sql, bind.params)
        return result.insert_id

    async def set_password_hash(self, app: App, user_id: Any, password_hash: str) -> None:
        stmt = _auth(app).password_update(user_id, password_hash)
        await self._db.update(app.name, stmt.sql, stmt.params)
