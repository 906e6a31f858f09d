"""Databases: one over the standard library's in-memory SQLite, one answering fixed rows, and a TableSql
that must not be reached (query-file resources never build SQL from a schema table)."""

from __future__ import annotations

import sqlite3
from typing import Any

from application.ports.database import Database
from application.ports.sql import TableSql
from domain.query.plan import Scope, SelectPlan
from domain.query.statement import Row, Statement, WriteResult
from domain.schema.model import Schema, Table


class FakeDatabase:
    """Runs each statement on one in-memory SQLite database per app, with its `:name` parameters bound."""

    def __init__(self, schemas: dict[str, Schema] | None = None) -> None:
        self._schemas = schemas or {}
        self._conns: dict[str, sqlite3.Connection] = {}
        self.statements: list[tuple[str, str, dict[str, Any]]] = []
        self.introspections = 0

    def conn(self, app_id: str) -> sqlite3.Connection:
        if app_id not in self._conns:
            c = sqlite3.connect(":memory:")
            c.row_factory = sqlite3.Row
            self._conns[app_id] = c
        return self._conns[app_id]

    def run(self, app_id: str, sql: str, args: dict[str, Any] | None = None) -> list[Row]:
        """Direct access for arranging and inspecting state (not recorded)."""
        cur = self.conn(app_id).execute(sql, args or {})
        return [dict(r) for r in cur.fetchall()]

    def _exec(self, app_id: str, query: str, args: dict[str, Any]) -> sqlite3.Cursor:
        self.statements.append((app_id, query, dict(args)))
        return self.conn(app_id).execute(query, args)

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        return [dict(r) for r in self._exec(app_id, query, args).fetchall()]

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        row = self._exec(app_id, query, args).fetchone()
        return dict(row) if row is not None else None

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        cur = self._exec(app_id, query, args)
        return WriteResult(cur.rowcount, cur.lastrowid)

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return WriteResult(self._exec(app_id, query, args).rowcount)

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        return WriteResult(self._exec(app_id, query, args).rowcount)

    async def introspect(self, app_id: str) -> Schema:
        self.introspections += 1
        return self._schemas.get(app_id, Schema({}))

    async def health(self, app_id: str = "") -> dict[str, Any]:
        return {"ok": True}


class FakeRows:
    """A Database that answers every query with the given rows and keeps what it was asked; it is only read."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self.asked: list[tuple[str, str, dict[str, Any]]] = []

    async def query(self, app_id: str, query: str, args: dict[str, Any]) -> list[Row]:
        self.asked.append((app_id, query, args))
        return self.rows

    async def query_one(self, app_id: str, query: str, args: dict[str, Any]) -> Row | None:
        rows = await self.query(app_id, query, args)
        return rows[0] if rows else None

    async def insert(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        raise AssertionError("FakeRows is only read")

    async def update(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        raise AssertionError("FakeRows is only read")

    async def delete(self, app_id: str, query: str, args: dict[str, Any]) -> WriteResult:
        raise AssertionError("FakeRows is only read")

    async def introspect(self, app_id: str) -> Schema:
        return Schema({})

    async def health(self, app_id: str = "") -> dict[str, Any]:
        return {"ok": True}


class UnreachableTableSql:
    """Fails the test if a query-file resource ever falls through to schema-table SQL."""

    def select(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        raise AssertionError("schema-table SQL used for a query-file resource")

    def count(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        raise AssertionError("schema-table SQL used for a query-file resource")

    def insert(self, dialect: str, table: Table, values: dict[str, Any]) -> Statement:
        raise AssertionError("schema-table SQL used for a query-file resource")

    def update(self, dialect: str, table: Table, key: Any, values: dict[str, Any], scope: Scope | None) -> Statement:
        raise AssertionError("schema-table SQL used for a query-file resource")

    def delete(self, dialect: str, table: Table, key: Any, scope: Scope | None) -> Statement:
        raise AssertionError("schema-table SQL used for a query-file resource")


# the fakes fit their ports (mypy checks these)
_database: Database = FakeDatabase()
_rows: Database = FakeRows([])
_sql: TableSql = UnreachableTableSql()
