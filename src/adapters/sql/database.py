"""The Database port on SQLAlchemy Core (async): one engine per app, `:name` parameters bound, errors mapped."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from domain.app import DatabaseSettings
from domain.errors import NotFound
from domain.query.statement import Row, WriteResult
from domain.schema.model import Schema

from .driver import execute, param
from .engines import create_engine, retrying, transaction
from .errors import translate
from .introspection import introspect
from .platform_tables import metadata as platform_metadata
from .reachability import PROBE_TIMEOUT, Gate

log = logging.getLogger("sogoms.db")
STATE_SUFFIX = "\x00state"
STATE_KEY = "{}" + STATE_SUFFIX  # the engine of an app's `state_database`
# the platform's own tables by name (an app column or string that merely starts with `sogoms_` is not one)
_PLATFORM_TABLE = re.compile(
    r"\b(?:" + "|".join(sorted(map(re.escape, platform_metadata.tables), key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_PLATFORM_SQL: dict[str, bool] = {}


def platform_statement(sql: str) -> bool:
    """Whether a statement is the platform's own (it names one of its `sogoms_*` tables), memoised per statement."""
    found = _PLATFORM_SQL.get(sql)
    if found is None:
        if len(_PLATFORM_SQL) > 4096:
            _PLATFORM_SQL.clear()
        found = _PLATFORM_SQL[sql] = _PLATFORM_TABLE.search(sql) is not None
    return found


class SqlAlchemyDatabase:
    """Implements Database. `configure()` swaps the app settings (on reload), keeping unchanged pools."""

    def __init__(self, secrets_dir: Path, settings: Mapping[str, DatabaseSettings] | None = None) -> None:
        self._secrets_dir = Path(secrets_dir)
        self._settings: dict[str, DatabaseSettings] = dict(settings or {})
        self._engines: dict[str, tuple[DatabaseSettings, AsyncEngine]] = {}
        self._prepared: set[str] = set()
        self._locks: dict[str, asyncio.Lock] = {}
        self._gates: dict[str, Gate] = {}  # is the app's database answering (reachability.py)
        self._probes: dict[str, AsyncEngine] = {}  # MariaDB: unpooled engines the gates ask

    async def configure(self, settings: Mapping[str, DatabaseSettings]) -> None:
        """New settings per app; engines whose settings changed or vanished are disposed."""
        self._settings = dict(settings)
        stale = [name for name, (s, _) in self._engines.items() if self._wanted(name) != s]
        for name in stale:
            _, engine = self._engines.pop(name)
            self._prepared.discard(name)
            await engine.dispose()
        for name in [n for n in self._gates if n in stale or n not in self._settings]:
            self._gates.pop(name).close()
            probe = self._probes.pop(name, None)
            if probe is not None:
                await probe.dispose()

    def _wanted(self, key: str) -> DatabaseSettings | None:
        """The settings an engine key should have now: an app's database, or (`STATE_KEY`) its state database."""
        if key.endswith(STATE_SUFFIX):
            app = self._settings.get(key[: -len(STATE_SUFFIX)])
            return app.state if app is not None else None
        return self._settings.get(key)

    def _gate(self, app_id: str) -> Gate:
        gate = self._gates.get(app_id)
        if gate is None:
            settings = self._settings_for(app_id)
            gate = self._gates[app_id] = Gate(app_id, lambda: self._ping(app_id), enabled=settings.dialect == "mysql")
        return gate

    async def _ping(self, app_id: str) -> None:
        """One round trip: on a connection of its own for MariaDB, through the pool for SQLite (a local file)."""
        settings = self._settings_for(app_id)
        if settings.dialect == "mysql":
            probe = self._probes.get(app_id)
            if probe is None:
                probe = self._probes[app_id] = create_engine(settings, self._secrets_dir, app_id, probe=True)
        else:
            probe = await self.engine(app_id)
        async with probe.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")

    def dialect(self, app_id: str) -> str:
        return self._settings_for(app_id).dialect

    def _settings_for(self, app_id: str) -> DatabaseSettings:
        s = self._settings.get(app_id)
        if s is None:
            raise NotFound(f"Unknown app {app_id!r}")
        return s

    async def engine(self, app_id: str) -> AsyncEngine:
        """The app's engine; its platform tables (sogoms_*) exist once this returns, unless they live in the app's
        `state_database` (then its own database gets none)."""
        current = self._engines.get(app_id)
        if current is not None and app_id in self._prepared:
            return current[1]
        settings = self._settings_for(app_id)
        return await self._prepare(app_id, settings, platform=settings.state is None)

    async def state_engine(self, app_id: str) -> AsyncEngine:
        """The engine of the database holding the app's platform tables: its `state_database`, else its own."""
        settings = self._settings_for(app_id)
        if settings.state is None:
            return await self.engine(app_id)
        key = STATE_KEY.format(app_id)
        current = self._engines.get(key)
        if current is not None and key in self._prepared:
            return current[1]
        return await self._prepare(key, settings.state, platform=True)

    async def _prepare(self, key: str, settings: DatabaseSettings, *, platform: bool) -> AsyncEngine:
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            current = self._engines.get(key)
            if current is None:
                current = (settings, create_engine(settings, self._secrets_dir, key.replace("\x00", " ")))
                self._engines[key] = current
            if key not in self._prepared:
                for attempt in range(3 if platform else 0):
                    try:
                        async with transaction(current[1]) as conn:
                            await conn.run_sync(platform_metadata.create_all, checkfirst=True)
                        break
                    except Exception as exc:
                        # another process may be creating the same tables at this moment: look again
                        if attempt == 2:
                            raise translate(exc, key) from exc
                        await asyncio.sleep(0.05 * (attempt + 1))
                self._prepared.add(key)
            return current[1]

    async def _run(self, app_id: str, sql: str, args: dict[str, Any], action: str) -> Any:
        params = {k: param(v) for k, v in (args or {}).items()}
        return await self._gate(app_id).run(lambda: self._statement(app_id, sql, params, action))

    async def _statement(self, app_id: str, sql: str, params: dict[str, Any], action: str) -> Any:
        try:
            # the platform's own statements (sogoms_* tables) go where the app's state lives
            state = self._settings_for(app_id).state is not None and platform_statement(sql)
            engine = await (self.state_engine(app_id) if state else self.engine(app_id))
            return await retrying(lambda: execute(engine, sql, params, action), action)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise translate(exc, app_id, action) from exc

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        rows: list[Row] = await self._run(app_id, query, args, "query")
        return rows

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        row: Row | None = await self._run(app_id, query, args, "query_one")
        return row

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "insert")
        return result

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "update")
        return result

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        result: WriteResult = await self._run(app_id, query, args, "delete")
        return result

    async def introspect(self, app_id: str) -> Schema:
        engine = await self.engine(app_id)
        try:
            async with engine.connect() as conn:
                return await introspect(conn)
        except Exception as exc:
            raise translate(exc, app_id) from exc

    async def health(self, app_id: str = "") -> dict[str, Any]:
        """Pings one app's database, or every configured one at once; never raises, never takes much more than
        PROBE_TIMEOUT (a silent database is "database unreachable", not a health check that does not answer)."""
        names = [app_id] if app_id else sorted(self._settings)
        reports = await asyncio.gather(*(self._health_of(name) for name in names))
        report = dict(zip(names, reports, strict=True))
        return {"ok": all(v["ok"] for v in report.values()), "apps": report}

    async def _health_of(self, name: str) -> dict[str, Any]:
        try:
            gate = self._gate(name)
            if not await gate.check():
                return gate.health()
            async with asyncio.timeout(PROBE_TIMEOUT):  # its platform tables, the first time
                engine = await self.engine(name)
                if self._settings_for(name).state is not None:
                    state = await self.state_engine(name)
                    async with state.connect() as conn:
                        await conn.exec_driver_sql("SELECT 1")
            pool = engine.pool
            return {"ok": True, "pool": {"size": pool.size(), "checked_out": pool.checkedout()}}  # type: ignore[attr-defined]
        except TimeoutError:
            return {"ok": False, "error": f"database unreachable: no answer within {PROBE_TIMEOUT:g} s"}
        except Exception as exc:  # noqa: BLE001
            return {"ok": False, "error": getattr(exc, "message", None) or type(exc).__name__}

    async def execute_script(self, app_id: str, statements: list[str]) -> None:
        """Runs DDL/DML statements in one transaction where the database allows (migrations)."""
        engine = await self.engine(app_id)
        try:
            async with transaction(engine) as conn:
                for sql in statements:
                    await conn.exec_driver_sql(sql)
        except Exception as exc:
            raise translate(exc, app_id) from exc

    async def close(self) -> None:
        for gate in self._gates.values():
            gate.close()
        for engine in [e for _, e in self._engines.values()] + list(self._probes.values()):
            await engine.dispose()
        self._engines.clear()
        self._probes.clear()
        self._gates.clear()
        self._prepared.clear()
