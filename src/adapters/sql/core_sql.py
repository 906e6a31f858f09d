"""The TableSql port on SQLAlchemy Core (core_statements.py), which is imported at the first statement built: a
process that builds none (sogoms-mailproc until its first message) does not load SQLAlchemy (docs/benchmarks.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.query.plan import Scope, SelectPlan
from domain.query.statement import Statement
from domain.schema.model import Table

if TYPE_CHECKING:
    from .core_statements import CoreStatements


class CoreTableSql:
    """Implements TableSql."""

    def __init__(self) -> None:
        self._built: CoreStatements | None = None

    def _core(self) -> CoreStatements:
        if self._built is None:
            from .core_statements import CoreStatements

            self._built = CoreStatements()
        return self._built

    def select(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        return self._core().select(dialect, table, plan)

    def count(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        return self._core().count(dialect, table, plan)

    def insert(self, dialect: str, table: Table, values: dict[str, Any]) -> Statement:
        return self._core().insert(dialect, table, values)

    def update(self, dialect: str, table: Table, key: Any, values: dict[str, Any], scope: Scope | None) -> Statement:
        return self._core().update(dialect, table, key, values, scope)

    def delete(self, dialect: str, table: Table, key: Any, scope: Scope | None) -> Statement:
        return self._core().delete(dialect, table, key, scope)
