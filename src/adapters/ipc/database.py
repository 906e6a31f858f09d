"""Client adapter: the Database port implemented over IPC (the other side of sogoms-db)."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.errors import InternalError
from domain.query.sql_text import to_positional
from domain.query.statement import Row, WriteResult
from domain.schema.model import Schema

from .client import IpcClient


def _statement(app_id: str, query: str, args: dict[str, Any]) -> dict[str, Any]:
    """The params of a statement in the seed's form (`?` and an `args` list), which a Go sogoms-db understands too."""
    try:
        text, values = to_positional(query, args or {})
    except KeyError as exc:
        raise InternalError(f"the statement uses :{exc.args[0]} but no value was given for it") from None
    return {"app_id": app_id, "query": text, "args": values}


class IpcDatabase:
    """Implements Database by calling sogoms-db (this platform's or the Go seed's: both take the positional form)."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        rows: list[Row] = await self._client.call("query", _statement(app_id, query, args))
        return rows

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        row: Row | None = await self._client.call("query_one", _statement(app_id, query, args))
        return row

    async def _write(self, action: str, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result = await self._client.call(action, _statement(app_id, query, args))
        return WriteResult(affected_rows=int(result.get("affected_rows") or 0), insert_id=result.get("insert_id"))

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return await self._write("insert", app_id, query, args)

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return await self._write("update", app_id, query, args)

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return await self._write("delete", app_id, query, args)

    async def introspect(self, app_id: str) -> Schema:
        return msgspec.convert(await self._client.call("introspect", {"app_id": app_id}, timeout=30), Schema)

    async def health(self, app_id: str = "") -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call("health", {"app_id": app_id} if app_id else {})
        return result

    async def close(self) -> None:
        await self._client.close()
