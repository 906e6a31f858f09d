"""Where a table's fields come from: the app's schema.yaml, else the live database (read once per load)."""

from __future__ import annotations

import asyncio

from application.ports.database import Database
from domain.app import App
from domain.schema.model import Schema, Table


class TableCatalog:
    def __init__(self, database: Database) -> None:
        self._db = database
        self._introspected: dict[str, tuple[App, Schema]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def schema(self, app: App) -> Schema:
        if app.schema is not None:
            return app.schema
        cached = self._introspected.get(app.name)
        if cached is not None and cached[0] is app:
            return cached[1]
        lock = self._locks.setdefault(app.name, asyncio.Lock())
        async with lock:
            cached = self._introspected.get(app.name)
            if cached is not None and cached[0] is app:
                return cached[1]
            schema = await self._db.introspect(app.name)
            self._introspected[app.name] = (app, schema)
            return schema

    async def table(self, app: App, name: str) -> Table | None:
        return (await self.schema(app)).table(name)

    def forget(self, app_name: str) -> None:
        self._introspected.pop(app_name, None)
