"""The database port: SQL with named parameters, per app (in-process SQLAlchemy or sogoms-db over IPC)."""

from __future__ import annotations

from typing import Any, Protocol

from domain.query.statement import Row, WriteResult
from domain.schema.model import Schema

DATABASE_ACTIONS = ("query", "query_one", "insert", "update", "delete", "introspect", "health")  # sogoms-db's


class Database(Protocol):
    """Runs one statement for one app. Method names and parameters are sogoms-db's actions on the wire.

    `args` binds the statement's `:name` placeholders; values are never formatted into SQL.
    Raises domain errors: Conflict (unique key), InvalidInput (bad value for a column),
    Unavailable (database or service down), InternalError (anything else, without SQL in it).
    """

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]: ...

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None: ...

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult: ...

    async def introspect(self, app_id: str) -> Schema: ...

    async def health(self, app_id: str = "") -> dict[str, Any]: ...
