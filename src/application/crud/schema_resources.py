"""CRUD of a schema.yaml table: validated input, owner/role scope on every operation, includes one query per level."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from application.crud.commands import CreateResource, DeleteResource, ListResource, Page, ShowResource, UpdateResource
from application.crud.counting import list_total
from application.crud.query_resources import parse_key
from application.crypt.ports import FieldSealing
from application.ports.database import Database
from application.ports.sql import TableSql
from domain.app import App
from domain.crypt import bind_statement
from domain.errors import Forbidden, InternalError, NotFound
from domain.principal import Principal
from domain.query.cursor import codec_for
from domain.query.files import check_statement
from domain.query.paging import cut_window
from domain.query.plan import IncludeNode, SelectPlan, plan_includes, plan_list, read_columns, scope_check, table_scope
from domain.query.statement import Row
from domain.schema.model import Schema, Table

MAX_INCLUDE_KEYS = 10000


def writable(table: Table, principal: Principal) -> tuple[str, ...]:
    owned = principal.claim_params()
    return tuple(f for f in table.writable_fields() if f not in owned)


def owned_values(table: Table, principal: Principal) -> dict[str, Any]:
    """Columns filled from the token: the owner field (the caller's id; no other column gets it), and fields named
    like the caller's claims."""
    owned = principal.claim_params()
    values = {f: owned[f] for f in table.fields if f in owned}
    owner = table.owner_field
    if owner is not None:
        values[owner] = principal.user_id
    return values


class SchemaResources:
    def __init__(self, database: Database, sql: TableSql, sealer: FieldSealing) -> None:
        self._db, self._sql = database, sql
        self._sealer = sealer

    # reads -------------------------------------------------------------------------------------------------
    async def page(self, app: App, schema: Schema, table: Table, cmd: ListResource) -> Page:
        params = cmd.params
        if table.encrypted:
            params = replace(params, conditions=await self._sealer.conditions(app.name, table, params.conditions))
        codec = codec_for(app.jwt_secret)
        plan = plan_list(table, params, table_scope(table, cmd.principal), codec)
        includes = plan_includes(schema, table, params.include)
        wanted = plan.columns
        keys = tuple(name for name, _ in plan.sort) if plan.cursor else ()
        plan = replace(plan, columns=_with_names(_with_keys(wanted, includes), (*keys, *_row_key(table, wanted))))
        dialect = app.settings.database.dialect
        stmt = self._sql.select(dialect, table, plan)
        rows = await self._db.query(app.name, stmt.sql, stmt.params)
        window = cut_window(rows, params, keys, plan.backward, codec, plan.cursor)
        total, counted = await list_total(
            self._db, app, params, len(window.rows), window.has_more, lambda: self._sql.count(dialect, table, plan)
        )
        await self._sealer.open(app.name, table, window.rows)
        await self.include(app, cmd.principal, window.rows, includes)
        return Page(
            _shape(table, window.rows, wanted, includes),
            params.limit,
            params.offset,
            window.has_more,
            window.next,
            window.prev,
            total,
            counted,
        )

    async def show(self, app: App, schema: Schema, table: Table, cmd: ShowResource) -> Row:
        includes = plan_includes(schema, table, cmd.params.include)
        wanted = read_columns(table, cmd.params.fields)
        row = await self._one(
            app,
            table,
            cmd.principal,
            parse_key(cmd.key, table, table.primary_key),
            _with_names(_with_keys(wanted, includes), _row_key(table, wanted)),
        )
        if row is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        await self.include(app, cmd.principal, [row], includes)
        return _shape(table, [row], wanted, includes)[0]

    async def everything(self, app: App, table: Table, principal: Principal) -> list[Row]:
        wanted = table.visible_fields()
        plan = SelectPlan(
            table=table.name,
            columns=_with_names(wanted, _row_key(table, wanted)),
            scope=table_scope(table, principal),
            sort=() if table.order else ((table.primary_key, False),),
        )
        stmt = self._sql.select(app.settings.database.dialect, table, plan)
        rows = await self._db.query(app.name, stmt.sql, stmt.params)
        if table.encrypted:
            await self._sealer.open(app.name, table, rows)
            return _shape(table, rows, wanted, ())
        return [table.present(r) for r in rows]

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
        row = await self._db.query_one(app.name, stmt.sql, stmt.params)
        if row is not None and table.encrypted:
            await self._sealer.open(app.name, table, [row])
        return row

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
                    columns=_with_names(
                        _with_keys((*wanted, rel.remote), node.children), _row_key(target, (*wanted, rel.remote))
                    ),
                    scope=scope,
                    sort=((target.primary_key, False),),
                    parent_in=(rel.remote, keys[:MAX_INCLUDE_KEYS]),
                )
                stmt = self._sql.select(app.settings.database.dialect, target, plan)
                children = await self._db.query(app.name, stmt.sql, stmt.params)
                await self._sealer.open(app.name, target, children)
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

    async def _stays_visible(self, app: App, table: Table, principal: Principal, row: dict[str, Any]) -> None:
        stmt = scope_check(table, table_scope(table, principal), row)
        if stmt is not None and await self._db.query_one(app.name, stmt.sql, stmt.params) is None:
            raise Forbidden("The row would be outside what you may see (another owner or organization)")

    async def create(self, app: App, table: Table, cmd: CreateResource) -> tuple[Any, Row]:
        values = table.validate(cmd.body, writable=writable(table, cmd.principal), partial=False)
        values.update(owned_values(table, cmd.principal))
        table_scope(table, cmd.principal)  # a role with no filter for this table may not write it either
        await self._check(app, table, cmd.principal, values)
        await self._stays_visible(app, table, cmd.principal, values)
        pk = table.primary_key
        generated = table.fields.get(pk) is None or table.fields[pk].auto
        stored = await self._sealer.seal(app.name, table, values, None if generated else values.get(pk))
        stmt = self._sql.insert(app.settings.database.dialect, table, stored)
        result = await self._db.insert(app.name, stmt.sql, stmt.params)
        key = result.insert_id if generated else values.get(pk)
        if table.encrypted and (generated or values.get(pk) is None):
            await self._bind(app, table, key, values)
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
            await self._stays_visible(app, table, cmd.principal, {**before, **values})
        if values:
            stored = await self._sealer.seal(app.name, table, values, key)
            stmt = self._sql.update(
                app.settings.database.dialect, table, key, stored, table_scope(table, cmd.principal)
            )
            result = await self._db.update(app.name, stmt.sql, stmt.params)
            if result.affected_rows == 0:
                raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        after = await self._one(app, table, cmd.principal, key, table.visible_fields())
        return key, table.present(before), table.present(after or {**before, **values})

    async def _bind(self, app: App, table: Table, key: Any, values: dict[str, Any]) -> None:
        """The second write of an insert whose key the database gave: its pending values bound to the row."""
        if not self._sealer.needs_binding(table, values):
            return
        if key is None:
            raise InternalError(
                f"the database gave no key for the new {table.name} row, so its encrypted fields cannot be bound to it"
            )
        bound = await self._sealer.bound(app.name, table, values, key)
        stmt = bind_statement(table.name, table.primary_key, key, bound)
        await self._db.update(app.name, stmt.sql, stmt.params)

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


def _row_key(table: Table, columns: tuple[str, ...]) -> tuple[str, ...]:
    """The primary key, when an encrypted field is read without it (each value is bound to its row's key)."""
    if table.encrypted and any(c in table.encrypted for c in columns):
        return (table.primary_key,)
    return ()


def _with_keys(columns: tuple[str, ...], includes: tuple[IncludeNode, ...]) -> tuple[str, ...]:
    """The requested columns plus the local key of each include (removed again before answering)."""
    return _with_names(columns, tuple(n.relation.local for n in includes))


def _with_names(columns: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    """`columns` plus `names` not already among them (read for the platform's own use, removed before answering)."""
    extra = [n for n in names if n not in columns]
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
