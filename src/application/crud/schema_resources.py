"""CRUD of a schema.yaml table: validated input, owner/role scope on every operation, includes one query per level."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application.crud.commands import CreateResource, DeleteResource, ListResource, Page, ShowResource, UpdateResource
from application.crud.query_resources import parse_key
from application.ports.database import Database
from application.ports.sql import TOTAL, TableSql
from domain.app import App
from domain.errors import Forbidden, NotFound
from domain.plan import IncludeNode, SelectPlan, plan_includes, plan_list, read_columns, table_scope
from domain.principal import Principal
from domain.queries import check_statement
from domain.schema import Schema, Table
from domain.statement import Row

MAX_INCLUDE_KEYS = 10000


def writable(table: Table, principal: Principal) -> tuple[str, ...]:
    owned = principal.owner_params()
    return tuple(f for f in table.writable_fields() if f not in owned)


def owned_values(table: Table, principal: Principal) -> dict[str, Any]:
    """Columns filled from the token: the owner field, and fields named like the caller's claims."""
    owned = principal.owner_params()
    values = {f: owned[f] for f in table.fields if f in owned}
    owner = table.owner_field
    if owner is not None:
        values[owner] = principal.user_id
    return values


class SchemaResources:
    def __init__(self, database: Database, sql: TableSql) -> None:
        self._db, self._sql = database, sql

    # reads -------------------------------------------------------------------------------------------------
    async def page(self, app: App, schema: Schema, table: Table, cmd: ListResource) -> Page:
        scope = table_scope(table, cmd.principal)
        plan = plan_list(table, cmd.params, scope)
        includes = plan_includes(schema, table, cmd.params.include)
        wanted = plan.columns
        plan = replace(plan, columns=_with_keys(wanted, includes))
        dialect = app.settings.database.dialect
        stmt = self._sql.select(dialect, table, plan)
        rows = await self._db.query(app.name, stmt.sql, stmt.params)
        if rows:
            total = int(rows[0].pop(TOTAL, 0) or 0)
            for r in rows[1:]:
                r.pop(TOTAL, None)
        elif plan.offset == 0:
            total = 0
        else:
            count = self._sql.count(dialect, table, plan)
            found = await self._db.query_one(app.name, count.sql, count.params)
            total = int((found or {}).get("total") or 0)
        await self.include(app, cmd.principal, rows, includes)
        return Page(_shape(table, rows, wanted, includes), total, cmd.params.limit, cmd.params.offset)

    async def show(self, app: App, schema: Schema, table: Table, cmd: ShowResource) -> Row:
        includes = plan_includes(schema, table, cmd.params.include)
        wanted = read_columns(table, cmd.params.fields)
        row = await self._one(
            app, table, cmd.principal, parse_key(cmd.key, table, table.primary_key), _with_keys(wanted, includes)
        )
        if row is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        await self.include(app, cmd.principal, [row], includes)
        return _shape(table, [row], wanted, includes)[0]

    async def everything(self, app: App, table: Table, principal: Principal) -> list[Row]:
        plan = SelectPlan(
            table=table.name,
            columns=table.visible_fields(),
            scope=table_scope(table, principal),
            sort=() if table.order else ((table.primary_key, False),),
        )
        stmt = self._sql.select(app.settings.database.dialect, table, plan)
        return [table.present(r) for r in await self._db.query(app.name, stmt.sql, stmt.params)]

    async def _one(
        self, app: App, table: Table, principal: Principal, key: Any, columns: tuple[str, ...]
    ) -> Row | None:
        plan = SelectPlan(
            table=table.name,
            columns=columns,
            scope=table_scope(table, principal),
            key=key,
            key_column=table.primary_key,
        )
        stmt = self._sql.select(app.settings.database.dialect, table, plan)
        return await self._db.query_one(app.name, stmt.sql, stmt.params)

    async def include(self, app: App, principal: Principal, rows: list[Row], nodes: tuple[IncludeNode, ...]) -> None:
        """One query per relation and level, however many parent rows; each target table's own scope applies."""
        for node in nodes:
            rel, target = node.relation, node.table
            if not target.allows(principal.role, "list"):
                raise Forbidden(f"Role '{principal.role}' may not include '{rel.name}'")
            keys = tuple(dict.fromkeys(r[rel.local] for r in rows if r.get(rel.local) is not None))
            children: list[Row] = []
            if keys:
                scope = table_scope(target, principal)
                wanted = target.visible_fields()
                plan = SelectPlan(
                    table=target.name,
                    columns=_with_keys((*wanted, rel.remote), node.children),
                    scope=scope,
                    sort=((target.primary_key, False),),
                    parent_in=(rel.remote, keys[:MAX_INCLUDE_KEYS]),
                )
                stmt = self._sql.select(app.settings.database.dialect, target, plan)
                children = await self._db.query(app.name, stmt.sql, stmt.params)
                await self.include(app, principal, children, node.children)
                children = _shape(target, children, (*wanted, rel.remote), node.children)
            grouped: dict[Any, list[Row]] = {}
            for child in children:
                grouped.setdefault(child[rel.remote], []).append(child)
            strip_remote = rel.remote not in target.visible_fields()
            for child in children:
                if strip_remote:
                    child.pop(rel.remote, None)
            for r in rows:
                found = grouped.get(r.get(rel.local), [])
                r[rel.name] = (found[0] if found else None) if rel.kind == "one" else found

    # writes ------------------------------------------------------------------------------------------------
    async def _check(self, app: App, table: Table, principal: Principal, values: dict[str, Any]) -> None:
        stmt = check_statement(table.check, principal, tuple(table.fields), values)
        if stmt is not None and await self._db.query_one(app.name, stmt.sql, stmt.params) is None:
            raise Forbidden("These values are outside what you may write")

    async def create(self, app: App, table: Table, cmd: CreateResource) -> tuple[Any, Row]:
        values = table.validate(cmd.body, writable=writable(table, cmd.principal), partial=False)
        values.update(owned_values(table, cmd.principal))
        table_scope(table, cmd.principal)  # a role with no filter for this table may not write it either
        await self._check(app, table, cmd.principal, values)
        stmt = self._sql.insert(app.settings.database.dialect, table, values)
        result = await self._db.insert(app.name, stmt.sql, stmt.params)
        pk = table.primary_key
        key = result.insert_id if table.fields.get(pk) is None or table.fields[pk].auto else values.get(pk)
        row = await self._one(app, table, cmd.principal, key, table.visible_fields()) if key is not None else None
        return key, table.present(row) if row is not None else {pk: key, **_visible_only(table, values)}

    async def update(self, app: App, table: Table, cmd: UpdateResource) -> tuple[Any, Row, Row]:
        key = parse_key(cmd.key, table, table.primary_key)
        before = await self._one(app, table, cmd.principal, key, table.visible_fields())
        if before is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        values = table.validate(cmd.body, writable=writable(table, cmd.principal), partial=cmd.partial)
        await self._check(app, table, cmd.principal, {**before, **values})
        if values:
            stmt = self._sql.update(
                app.settings.database.dialect, table, key, values, table_scope(table, cmd.principal)
            )
            result = await self._db.update(app.name, stmt.sql, stmt.params)
            if result.affected_rows == 0:
                raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        after = await self._one(app, table, cmd.principal, key, table.visible_fields())
        return key, table.present(before), table.present(after or {**before, **values})

    async def delete(self, app: App, table: Table, cmd: DeleteResource) -> tuple[Any, Row]:
        key = parse_key(cmd.key, table, table.primary_key)
        scope = table_scope(table, cmd.principal)
        before = await self._one(app, table, cmd.principal, key, table.visible_fields())
        if before is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        stmt = self._sql.delete(app.settings.database.dialect, table, key, scope)
        result = await self._db.delete(app.name, stmt.sql, stmt.params)
        if result.affected_rows == 0:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        return key, table.present(before)


def _with_keys(columns: tuple[str, ...], includes: tuple[IncludeNode, ...]) -> tuple[str, ...]:
    """The requested columns plus the local key of each include (removed again before answering)."""
    extra = [n.relation.local for n in includes if n.relation.local not in columns]
    return (*columns, *dict.fromkeys(extra)) if extra else columns


def _shape(table: Table, rows: list[Row], wanted: tuple[str, ...], includes: tuple[IncludeNode, ...]) -> list[Row]:
    keep = set(wanted) | {n.relation.name for n in includes}
    out = []
    for r in rows:
        if len(r) != len(keep):
            r = {k: v for k, v in r.items() if k in keep}
        out.append(table.present(r))
    return out


def _visible_only(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k in table.fields and not table.fields[k].hidden}
