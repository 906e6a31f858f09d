"""The statements of the TableSql port built with SQLAlchemy Core: dialect-neutral, compiled once per shape and cached
(loaded by core_sql.CoreTableSql at its first statement)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement

from domain.query.keyset import SeekKey, seek_condition
from domain.query.plan import Scope, SelectPlan
from domain.query.statement import Statement
from domain.schema.model import Table as DomainTable

from .ddl import sa_table

_OPS = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "lte": "__le__", "gt": "__gt__", "gte": "__ge__"}
_CACHE_MAX = 4096


def _dialect(name: str) -> Dialect:
    if name == "sqlite":
        return sqlite.dialect(paramstyle="named")
    return mysql.dialect(paramstyle="named")


def _order(t: Table, plan: SelectPlan) -> list[Any]:
    return [t.c[c].desc() if desc else t.c[c].asc() for c, desc in plan.sort]


class CoreStatements:
    """The SQL text depends only on the statement's shape; values are always bound."""

    def __init__(self) -> None:
        self._dialects = {"sqlite": _dialect("sqlite"), "mysql": _dialect("mysql")}
        self._tables: dict[int, tuple[DomainTable, Table, int]] = {}
        self._sql: dict[tuple[Any, ...], str] = {}
        self._tokens = itertools.count()

    def _table(self, table: DomainTable) -> tuple[Table, int]:
        """The Core table and a token naming this exact table object in cache keys (ids get reused)."""
        found = self._tables.get(id(table))
        if found is None or found[0] is not table:
            if len(self._tables) > _CACHE_MAX:
                self._tables.clear()
            found = self._tables[id(table)] = (table, sa_table(table), next(self._tokens))
        return found[1], found[2]

    def _compiled(self, key: tuple[Any, ...], dialect: str, build: Any) -> str:
        sql = self._sql.get(key)
        if sql is None:
            stmt: ClauseElement = build()
            sql = str(stmt.compile(dialect=self._dialects.get(dialect) or _dialect(dialect)))
            if len(self._sql) > _CACHE_MAX:
                self._sql.clear()
            self._sql[key] = sql
        return sql

    @staticmethod
    def _params(plan: SelectPlan) -> dict[str, Any]:
        """The bound values of a plan (cheap: no SQL objects are built on a cache hit)."""
        params: dict[str, Any] = {}
        if plan.key is not None:
            params["_key"] = plan.key
        for i, f in enumerate(plan.filters):
            if f.op == "in":
                params.update({f"_f{i}_{j}": v for j, v in enumerate(f.value)})
            elif f.op != "null":
                params[f"_f{i}"] = f.value
        if plan.parent_in is not None:
            params.update({f"_p{j}": v for j, v in enumerate(plan.parent_in[1])})
        if plan.scope is not None:
            params.update(plan.scope.params)
        if plan.seek is not None:
            params.update({f"_k{i}": v for i, v in enumerate(plan.seek) if v is not None})
        if plan.limit is not None:
            params["_limit"], params["_offset"] = plan.limit, plan.offset
        return params

    def _seek(self, dialect: str, table: DomainTable, plan: SelectPlan) -> Any:
        """The keyset condition in the plan's own order (values bound as `_k0`, `_k1`...)."""
        assert plan.seek is not None
        quote = (self._dialects.get(dialect) or _dialect(dialect)).identifier_preparer.quote
        keys = [SeekKey(quote(name), desc, table.fields[name].is_nullable) for name, desc in plan.sort]
        sql, _ = seek_condition(keys, plan.seek)
        return text(sql)

    @staticmethod
    def _where(t: Table, plan: SelectPlan) -> list[Any]:
        clauses: list[Any] = []
        if plan.key is not None:
            clauses.append(t.c[plan.key_column] == bindparam("_key"))
        for i, f in enumerate(plan.filters):
            col, name = t.c[f.field], f"_f{i}"
            if f.op == "null":
                clauses.append(col.is_(None) if f.value else col.is_not(None))
            elif f.op == "in":
                clauses.append(col.in_([bindparam(f"{name}_{j}") for j in range(len(f.value))]))
            elif f.op == "like":
                clauses.append(col.like(bindparam(name)))
            else:
                clauses.append(getattr(col, _OPS[f.op])(bindparam(name)))
        if plan.parent_in is not None:
            column, values = plan.parent_in
            clauses.append(t.c[column].in_([bindparam(f"_p{j}") for j in range(len(values))]))
        if plan.scope is not None:
            clauses.append(text(f"({plan.scope.condition})"))
        return clauses

    @staticmethod
    def _shape(plan: SelectPlan) -> tuple[Any, ...]:
        return (
            plan.columns,
            tuple(
                (f.field, f.op, len(f.value) if f.op == "in" else (f.value if f.op == "null" else None))
                for f in plan.filters
            ),
            plan.sort,
            plan.scope.condition if plan.scope else None,
            plan.key is not None,
            plan.key_column,
            (plan.parent_in[0], len(plan.parent_in[1])) if plan.parent_in else None,
            plan.limit is not None,
            tuple(v is None for v in plan.seek) if plan.seek is not None else None,
        )

    def select(self, dialect: str, table: DomainTable, plan: SelectPlan) -> Statement:
        t, token = self._table(table)

        def build() -> Any:
            if dialect == "mysql" and plan.seek is not None and plan.sort and plan.limit is not None:
                return self._seek_by_keys(dialect, table, t, plan)
            stmt = select(*[t.c[c] for c in plan.columns]).where(*self._where(t, plan))
            if plan.seek is not None:
                stmt = stmt.where(self._seek(dialect, table, plan))
            if plan.sort:
                stmt = stmt.order_by(*_order(t, plan))
            elif table.order:
                stmt = stmt.order_by(text(table.order))
            if plan.limit is not None:
                stmt = stmt.limit(bindparam("_limit", type_=None)).offset(bindparam("_offset"))
            return stmt

        sql = self._compiled(("select", dialect, token, self._shape(plan)), dialect, build)
        return Statement(sql, self._params(plan))

    def _seek_by_keys(self, dialect: str, table: DomainTable, t: Table, plan: SelectPlan) -> Any:
        """A keyset page on MariaDB: the page's keys first, read from the index alone, then their rows.

        MariaDB 10.11 reads `scope = :v AND key > :k ... ORDER BY key LIMIT n` as `ref` access on the scope's
        columns (from the scope's first index entry, skipping the ones before the cursor: O(position)) whenever
        the select needs columns outside the index; when every column it reads is in the index (the scope, the
        sort keys, the primary key: what the (scope, sort key, id) index holds) it seeks to the cursor with a
        range. So the keys are selected alone, the rows joined on the primary key, and the page (limit+1 rows)
        sorted again: O(page) whatever the cursor's depth (docs/benchmarks.md, "Data size").
        """
        pk = table.primary_key
        keys = (
            select(t.c[pk])
            .where(*self._where(t, plan))
            .where(self._seek(dialect, table, plan))
            .order_by(*_order(t, plan))
            .limit(bindparam("_limit", type_=None))
            .offset(bindparam("_offset"))
            .subquery("_sogoms_keys")
        )
        return (
            select(*[t.c[c] for c in plan.columns])
            .select_from(t.join(keys, t.c[pk] == keys.c[pk]))
            .order_by(*_order(t, plan))
        )

    def count(self, dialect: str, table: DomainTable, plan: SelectPlan) -> Statement:
        t, token = self._table(table)
        counted = replace(plan, limit=None, seek=None, sort=())
        sql = self._compiled(
            ("count", dialect, token, self._shape(counted)),
            dialect,
            lambda: select(func.count().label("total")).select_from(t).where(*self._where(t, counted)),
        )
        return Statement(sql, self._params(counted))

    def insert(self, dialect: str, table: DomainTable, values: dict[str, Any]) -> Statement:
        t, token = self._table(table)
        cols = tuple(values)
        sql = self._compiled(
            ("insert", dialect, token, cols),
            dialect,
            lambda: insert(t).values({c: bindparam(f"_v_{c}") for c in cols}),
        )
        return Statement(sql, {f"_v_{c}": v for c, v in values.items()})

    def update(
        self, dialect: str, table: DomainTable, key: Any, values: dict[str, Any], scope: Scope | None
    ) -> Statement:
        t, token = self._table(table)
        cols = tuple(values)
        pk = table.primary_key

        def build() -> Any:
            stmt = update(t).where(t.c[pk] == bindparam("_key"))
            if scope is not None:
                stmt = stmt.where(text(f"({scope.condition})"))
            return stmt.values({c: bindparam(f"_v_{c}") for c in cols})

        sql = self._compiled(("update", dialect, token, cols, scope.condition if scope else None), dialect, build)
        params = {f"_v_{c}": v for c, v in values.items()}
        params["_key"] = key
        if scope is not None:
            params.update(scope.params)
        return Statement(sql, params)

    def delete(self, dialect: str, table: DomainTable, key: Any, scope: Scope | None) -> Statement:
        t, token = self._table(table)
        pk = table.primary_key

        def build() -> Any:
            stmt = delete(t).where(t.c[pk] == bindparam("_key"))
            if scope is not None:
                stmt = stmt.where(text(f"({scope.condition})"))
            return stmt

        sql = self._compiled(("delete", dialect, token, scope.condition if scope else None), dialect, build)
        params: dict[str, Any] = {"_key": key}
        if scope is not None:
            params.update(scope.params)
        return Statement(sql, params)
