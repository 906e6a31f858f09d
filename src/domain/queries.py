"""Resource queries from `queries/{resource}.yaml` (the seed's format) and how they bind to a caller."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import sql_text
from .errors import BadRequest, Forbidden
from .identifiers import check_identifier
from .principal import Principal
from .statement import Statement

OPERATIONS = ("list", "show", "create", "update", "delete")
TOTAL_COLUMN = "_sogoms_total"


def role_condition(filters: dict[str, str] | None, role: str) -> str:
    """The condition for `role`: its own filter, else `default`; "" means unrestricted.

    No `filters` at all means unrestricted; filters that name neither the role nor
    `default` mean this role may not do the operation at all.
    """
    if filters is None:
        return ""
    if role in filters:
        return filters[role]
    if "default" in filters:
        return filters["default"]
    raise Forbidden(f"Role '{role}' may not do this")


def _bind(sql: str, available: dict[str, Any], what: str) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in sql_text.placeholders(sql):
        if name not in available:
            raise BadRequest(f"Missing parameter '{name}' for {what}")
        params[name] = available[name]
    return params


def check_statement(
    check: dict[str, str] | None, principal: Principal, fields: tuple[str, ...], values: dict[str, Any]
) -> Statement | None:
    """`SELECT 1 WHERE (check)` over the values being written (`:field`, unset ones NULL) and the caller.

    None when there is no check for the role; Forbidden when checks exist but none applies to the role.
    """
    if check is None:
        return None
    cond = role_condition(check, principal.role)
    if not cond:
        return None
    sql = f"SELECT 1 AS ok WHERE ({cond})"
    available = {**dict.fromkeys(fields), **values, **principal.bind_params()}
    return Statement(sql, _bind(sql, available, "check"))


@dataclass(frozen=True, slots=True)
class ReadQuery:
    """`list:` or `show:`: a SELECT, role filters and an order."""

    query: str
    filters: dict[str, str] | None = None
    order: str = ""

    def __post_init__(self) -> None:
        if not self.query.strip().upper().startswith(("SELECT", "WITH")):
            raise ValueError("query must be a SELECT statement")

    def _restricted(self, principal: Principal) -> str:
        return sql_text.add_condition(self.query, role_condition(self.filters, principal.role))

    def _filtered(self, principal: Principal, extra: Statement | None) -> str:
        sql = self._restricted(principal)
        return sql_text.add_condition(sql, extra.sql) if extra is not None else sql

    def bind_list(
        self,
        principal: Principal,
        request_params: dict[str, Any],
        limit: int,
        offset: int,
        extra: Statement | None = None,
        order: str | None = None,
    ) -> tuple[Statement, bool]:
        """A page of rows; the bool says whether each row carries the total in TOTAL_COLUMN.

        `extra` narrows the rows further (filters from the query string), `order` replaces the default order.
        """
        sql = self._filtered(principal, extra)
        sql = sql_text.replace_order(sql, order) if order else sql_text.with_order(sql, self.order)
        counted = sql_text.add_select_column(sql, f"COUNT(*) OVER () AS {TOTAL_COLUMN}")
        paged = sql_text.with_page(counted or sql)
        available = {**request_params, **(extra.params if extra else {}), **principal.bind_params()}
        params = _bind(paged, {**available, "_limit": limit, "_offset": offset}, "list")
        return Statement(paged, params), counted is not None

    def bind_count(
        self, principal: Principal, request_params: dict[str, Any], extra: Statement | None = None
    ) -> Statement:
        sql = sql_text.count_statement(self._filtered(principal, extra))
        available = {**request_params, **(extra.params if extra else {}), **principal.bind_params()}
        return Statement(sql, _bind(sql, available, "list"))

    def bind_show(self, principal: Principal, key: Any, request_params: dict[str, Any] | None = None) -> Statement:
        sql = self._restricted(principal)
        params = _bind(sql, {**(request_params or {}), **principal.bind_params(), "id": key}, "show")
        return Statement(sql, params)

    def bind_all(self, principal: Principal) -> Statement:
        """Every row the caller may see, in order (used by the enriched login)."""
        sql = sql_text.with_order(self._restricted(principal), self.order)
        return Statement(sql, _bind(sql, principal.bind_params(), "login include"))


@dataclass(frozen=True, slots=True)
class WriteSpec:
    """`create:` / `update:` / `delete:`: a table, its writable fields and the role filters or checks."""

    table: str
    fields: tuple[str, ...] = ()
    filters: dict[str, str] | None = None
    check: dict[str, str] | None = None
    key: str = "id"

    def __post_init__(self) -> None:
        check_identifier(self.table, "table")
        check_identifier(self.key, "key column")
        for f in self.fields:
            check_identifier(f, "field")

    def owner_fields(self, principal: Principal) -> dict[str, Any]:
        """Declared fields whose value comes from the token (user_id and the app's claims)."""
        owned = principal.owner_params()
        return {f: owned[f] for f in self.fields if f in owned}

    def writable(self, principal: Principal) -> tuple[str, ...]:
        """Declared fields the body may set (never the key, never an owner column)."""
        owned = principal.owner_params()
        return tuple(f for f in self.fields if f not in owned and f != self.key)

    def check_statement(self, principal: Principal, values: dict[str, Any]) -> Statement | None:
        """`SELECT 1 WHERE check` over the new values, or None when the role's check is empty."""
        return check_statement(self.check, principal, self.fields, values)

    def bind_insert(self, principal: Principal, values: dict[str, Any]) -> Statement:
        row = {**values, **self.owner_fields(principal)}
        cols = [f for f in self.fields if f in row]
        if not cols:
            raise BadRequest("Nothing to create: the body sets none of the writable fields")
        sql = f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        return Statement(sql, {c: row[c] for c in cols})

    def bind_update(self, principal: Principal, key: Any, values: dict[str, Any]) -> Statement:
        cols = [f for f in self.writable(principal) if f in values]
        if not cols:
            raise BadRequest("Nothing to update: the body sets none of the writable fields")
        sets = ", ".join(f"{c} = :{c}" for c in cols)
        sql = f"UPDATE {self.table} SET {sets} WHERE {self.key} = :_key"
        cond = role_condition(self.filters, principal.role)
        if cond:
            sql += f" AND ({cond})"
        params = {c: values[c] for c in cols}
        params.update(_bind(cond, principal.bind_params(), "update") if cond else {})
        params["_key"] = key
        return Statement(sql, params)

    def bind_delete(self, principal: Principal, key: Any) -> Statement:
        sql = f"DELETE FROM {self.table} WHERE {self.key} = :_key"
        cond = role_condition(self.filters, principal.role)
        params: dict[str, Any] = {"_key": key}
        if cond:
            sql += f" AND ({cond})"
            params.update(_bind(cond, principal.bind_params(), "delete"))
        return Statement(sql, params)


@dataclass(frozen=True, slots=True)
class ResourceQueries:
    """All of one `queries/{resource}.yaml`."""

    list: ReadQuery | None = None
    show: ReadQuery | None = None
    create: WriteSpec | None = None
    update: WriteSpec | None = None
    delete: WriteSpec | None = None

    def operations(self) -> tuple[str, ...]:
        return tuple(op for op in OPERATIONS if getattr(self, op) is not None)
