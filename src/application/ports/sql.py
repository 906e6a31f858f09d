"""The port that writes SQL for a schema table (SQLAlchemy Core behind it), dialect by dialect."""

from __future__ import annotations

from typing import Any, Protocol

from domain.plan import Scope, SelectPlan
from domain.schema import Table
from domain.statement import Statement

TOTAL = "_sogoms_total"


class TableSql(Protocol):
    """Statements with `:name` parameters for one dialect ('sqlite' or 'mysql'); identifiers are the schema's."""

    def select(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        """Rows of the plan; with `plan.with_total` each row also carries the full count in column TOTAL."""
        ...

    def count(self, dialect: str, table: Table, plan: SelectPlan) -> Statement: ...

    def insert(self, dialect: str, table: Table, values: dict[str, Any]) -> Statement: ...

    def update(
        self, dialect: str, table: Table, key: Any, values: dict[str, Any], scope: Scope | None
    ) -> Statement: ...

    def delete(self, dialect: str, table: Table, key: Any, scope: Scope | None) -> Statement: ...
