"""The seed's positional form on the wire: `?` placeholders with `args` as a JSON list, bound as named parameters."""

from __future__ import annotations

from typing import Any

from application.ports.database import Database
from domain.errors import BadRequest
from domain.query.sql_text import question_marks
from domain.query.statement import Row, WriteResult
from domain.schema.model import Schema

Args = dict[str, Any] | list[Any] | None


def named(query: str, args: Args) -> tuple[str, dict[str, Any]]:
    """`query` and `args` in the Database port's form (`:name` parameters and a dict)."""
    if args is None:
        return query, {}
    if isinstance(args, dict):
        return query, args
    marks = question_marks(query)
    if len(marks) != len(args):
        raise BadRequest(f"the query has {len(marks)} '?' placeholder(s) but {len(args)} argument(s) were sent")
    parts: list[str] = []
    last = 0
    for n, pos in enumerate(marks):
        parts.append(query[last:pos])
        parts.append(f":_{n}")
        last = pos + 1
    parts.append(query[last:])
    return "".join(parts), {f"_{n}": value for n, value in enumerate(args)}


class PositionalArgs:
    """The Database port served to IPC callers, accepting `args` as a dict (`:name`) or a list (`?`)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def query(self, app_id: str, query: str, args: Args = None) -> list[Row]:
        return await self._db.query(app_id, *named(query, args))

    async def query_one(self, app_id: str, query: str, args: Args = None) -> Row | None:
        return await self._db.query_one(app_id, *named(query, args))

    async def insert(self, app_id: str, query: str, args: Args = None) -> WriteResult:
        return await self._db.insert(app_id, *named(query, args))

    async def update(self, app_id: str, query: str, args: Args = None) -> WriteResult:
        return await self._db.update(app_id, *named(query, args))

    async def delete(self, app_id: str, query: str, args: Args = None) -> WriteResult:
        return await self._db.delete(app_id, *named(query, args))

    async def introspect(self, app_id: str) -> Schema:
        return await self._db.introspect(app_id)

    async def health(self, app_id: str = "") -> dict[str, Any]:
        return await self._db.health(app_id)
