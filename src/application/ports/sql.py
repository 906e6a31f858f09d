"""The port that writes SQL for a schema table (SQLAlchemy Core behind it), dialect by dialect."""

from __future__ import annotations

from typing import Any, Protocol

from domain.query.plan import Scope, SelectPlan
from domain.query.statement import Statement
from domain.schema.model import Table


class TableSql(Protocol):
    """Statements with `:name` parameters for one dialect ('sqlite' or 'mysql'); identifiers are the schema's."""

    def select(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        """Rows of the plan in `plan.sort` order (after `plan.seek` when given), `plan.limit` of them from the offset."""
        ...

    def count(self, dialect: str, table: Table, plan: SelectPlan) -> Statement:
        """`SELECT COUNT(*) AS total` of the rows the plan's scope and filters match (no seek, sort or page)."""
        ...

    def insert(self, dialect: str, table: Table, values: dict[str, Any]) -> Statement: ...

    def update(
        self, dialect: str, table: Table, key: Any, values: dict[str, Any], scope: Scope | None
    ) -> Statement: ...

    def delete(self, dialect: str, table: Table, key: Any, scope: Scope | None) -> Statement: ...
