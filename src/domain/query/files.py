"""Resource queries from `queries/{resource}.yaml` (the seed's format) and how they bind to a caller."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from domain.errors import BadRequest, Forbidden
from domain.identifiers import check_identifier
from domain.principal import Principal
from domain.query import sql_clauses, sql_text
from domain.query.statement import Statement

if TYPE_CHECKING:
    from domain.schema.model import Table

OPERATIONS = ("list", "show", "create", "update", "delete")


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
        return sql_clauses.add_condition(self.query, role_condition(self.filters, principal.role))

    def _filtered(self, principal: Principal, extra: Statement | None) -> str:
        sql = self._restricted(principal)
        return sql_clauses.add_condition(sql, extra.sql) if extra is not None else sql

    def bind_list(
        self,
        principal: Principal,
        request_params: dict[str, Any],
        limit: int,
        offset: int,
        extra: Statement | None = None,
        order: str | None = None,
    ) -> Statement:
        """A page of `limit` rows from `offset`.

        `extra` narrows the rows further (filters from the query string, a cursor), `order` replaces the default.
        """
        sql = self._filtered(principal, extra)
        sql = sql_clauses.replace_order(sql, order) if order else sql_clauses.with_order(sql, self.order)
        paged = sql_clauses.with_page(sql)
        available = {**request_params, **(extra.params if extra else {}), **principal.bind_params()}
        return Statement(paged, _bind(paged, {**available, "_limit": limit, "_offset": offset}, "list"))

    def bind_count(
        self, principal: Principal, request_params: dict[str, Any], extra: Statement | None = None
    ) -> Statement:
        sql = sql_clauses.count_statement(self._filtered(principal, extra))
        available = {**request_params, **(extra.params if extra else {}), **principal.bind_params()}
        return Statement(sql, _bind(sql, available, "list"))

    def bind_show(self, principal: Principal, key: Any, request_params: dict[str, Any] | None = None) -> Statement:
        sql = self._restricted(principal)
        params = _bind(sql, {**(request_params or {}), **principal.bind_params(), "id": key}, "show")
        return Statement(sql, params)

    def bind_all(self, principal: Principal) -> Statement:
        """Every row the caller may see, in order (used by the enriched login)."""
        sql = sql_clauses.with_order(self._restricted(principal), self.order)
        return Statement(sql, _bind(sql, principal.bind_params(), "login include"))


@dataclass(frozen=True, slots=True)
class WriteSpec:
    """`create:` / `update:` / `delete:`: a table, its writable fields and the role filters or checks."""

    table: str
    fields: tuple[str, ...] = ()
    filters: dict[str, str] | None = None
    check: dict[str, str] | None = None
    key: str = "id"
    # the column set to the caller's id; None: the schema's `filter: owner` field when schema.yaml declares the
    # table (none if it has no owner field), else `user_id` (the seed's convention); "" for none
    owner: str | None = None

    def __post_init__(self) -> None:
        check_identifier(self.table, "table")
        check_identifier(self.key, "key column")
        if self.owner:
            check_identifier(self.owner, "owner column")

    def for_table(self, table: Table | None) -> WriteSpec:
        """This spec with its owner column settled from the schema's table (None: not in schema.yaml)."""
        if self.owner is not None:
            return self
        owner = "user_id" if table is None else (table.owner_field or "")
        return replace(self, owner=owner)

    def without_managed(self, table: Table | None) -> tuple[str, ...]:
        """The declared fields minus those the schema says the database or the platform sets."""
        if table is None:
            return self.fields
        return tuple(f for f in self.fields if f not in table.fields or not table.fields[f].managed)
        for f in self.fields:
            check_identifier(f, "field")

    def owner_fields(self, principal: Principal) -> dict[str, Any]:
        """Declared fields whose value comes from the token: the owner column (the caller's id) and columns named
        like the app's claims."""
        owned = principal.claim_params()
        values = {f: owned[f] for f in self.fields if f in owned}
        owner = "user_id" if self.owner is None else self.owner
        if owner and owner in self.fields:
            values[owner] = principal.user_id
        return values

    def writable(self, principal: Principal) -> tuple[str, ...]:
        """Declared fields the body may set (never the key, the owner column or a claim's column)."""
        owned = self.owner_fields(principal)
        return tuple(f for f in self.fields if f not in owned and f != self.key)

    def check_statement(self, principal: Principal, values: dict[str, Any]) -> Statement | None:
        """`SELECT 1 WHERE check` over the new values, or None when the role's check is empty."""
        return check_statement(self.check, principal, self.fields, values)

    def bind_insert(
        self, principal: Principal, values: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> Statement:
        """`extra`: platform columns written with the declared ones (an encrypted field's blind index)."""
        row = {**values, **self.owner_fields(principal)}
        cols = [f for f in self.fields if f in row]
        if not cols:
            raise BadRequest("Nothing to create: the body sets none of the writable fields")
        if extra:
            row.update(extra)
            cols += [check_identifier(c) for c in extra if c not in cols]
        sql = f"INSERT INTO {self.table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        return Statement(sql, {c: row[c] for c in cols})

    def bind_update(
        self, principal: Principal, key: Any, values: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> Statement:
        cols = [f for f in self.writable(principal) if f in values]
        if not cols:
            raise BadRequest("Nothing to update: the body sets none of the writable fields")
        if extra:
            values = {**values, **extra}
            cols += [check_identifier(c) for c in extra if c not in cols]
        # the new values bind under names of their own: a column named like a filter's placeholder (`user_id`)
        # must not take the caller's value, nor give the filter the body's
        sets = ", ".join(f"{c} = :_set_{c}" for c in cols)
        sql = f"UPDATE {self.table} SET {sets} WHERE {self.key} = :_key"
        cond = role_condition(self.filters, principal.role)
        if cond:
            sql += f" AND ({cond})"
        params = {f"_set_{c}": values[c] for c in cols}
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
