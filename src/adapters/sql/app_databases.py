"""AppDatabases over an in-process SqlAlchemyDatabase (the admin's introspection and schema commands)."""

from __future__ import annotations

from domain.app import App, DatabaseSettings

from .database import SqlAlchemyDatabase


class InprocAppDatabases:
    """Implements AppDatabases over an in-process SqlAlchemyDatabase (pools kept while settings stay the same)."""

    def __init__(self, database: SqlAlchemyDatabase) -> None:
        self._db = database
        self._known: dict[str, DatabaseSettings] = {}

    async def use(self, apps: list[App]) -> None:
        wanted = {**self._known, **{a.name: a.settings.database for a in apps}}
        if wanted != self._known:
            self._known = wanted
            await self._db.configure(wanted)
