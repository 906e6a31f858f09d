"""Client adapters: the Database and LogSink ports implemented over IPC (the other side of sogoms-db/-logs)."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.schema import Schema
from domain.statement import Row, WriteResult

from .client import IpcClient

DATABASE_ACTIONS = ("query", "query_one", "insert", "update", "delete", "introspect", "health")
LOG_ACTIONS = ("log_event", "log_error", "health")


class IpcDatabase:
    """Implements Database by calling sogoms-db."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        rows: list[Row] = await self._client.call("query", {"app_id": app_id, "query": query, "args": args})
        return rows

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        row: Row | None = await self._client.call("query_one", {"app_id": app_id, "query": query, "args": args})
        return row

    async def _write(self, action: str, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result = await self._client.call(action, {"app_id": app_id, "query": query, "args": args})
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


class IpcLogSink:
    """Implements LogSink by calling sogoms-logs."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        params: dict[str, Any] = {"app_id": app_id, "event": event, "type": type}
        if data:
            params["data"] = data
        await self._client.call("log_event", params)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        params: dict[str, Any] = {"app_id": app_id, "message": message, "level": level}
        if data:
            params["data"] = data
        await self._client.call("log_error", params)

    async def health(self) -> dict[str, Any]:
        result: dict[str, Any] = await self._client.call("health", {})
        return result

    async def close(self) -> None:
        await self._client.close()
