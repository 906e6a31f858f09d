"""CRUD through an app's `queries/{resource}.yaml` (the seed's mechanism, and the override of schema routes)."""

from __future__ import annotations

from typing import Any

from application.crud.catalog import TableCatalog
from application.crud.commands import (
    CreateResource,
    DeleteResource,
    ListResource,
    Page,
    ShowResource,
    UpdateResource,
)
from application.crud.counting import list_total
from application.crypt.ports import FieldSealing
from application.ports.database import Database
from domain.app import App
from domain.crypt import bind_statement
from domain.errors import BadRequest, Forbidden, InternalError, MethodNotAllowed, NotFound
from domain.identifiers import is_int_text
from domain.principal import Principal
from domain.query import sql_text
from domain.query.cursor import codec_for
from domain.query.files import ReadQuery, ResourceQueries, WriteSpec
from domain.query.listing import ListParams
from domain.query.paging import cut_window
from domain.query.query_paging import and_statements, query_order
from domain.query.statement import Row
from domain.query.text_filters import override_filters
from domain.schema.model import Field, FieldType, Table


def parse_key(raw: str, table: Table | None, key: str = "id") -> Any:
    """The URL id as the key column's type; a malformed id names no record (404)."""
    f = table.fields.get(key) if table else None
    if f is not None and f.type is not FieldType.INT:
        return raw
    if is_int_text(raw):
        return int(raw)
    if f is None and raw and len(raw) <= 255:
        return raw
    raise NotFound("No such record")


def untyped_table(name: str, fields: tuple[str, ...]) -> Table:
    """A stand-in when the database cannot describe the table: scalars only."""
    return Table(name=name, fields={f: Field(type=FieldType.JSON, name=f) for f in fields})


class QueryResources:
    def __init__(self, database: Database, catalog: TableCatalog, sealer: FieldSealing) -> None:
        self._db, self._catalog = database, catalog
        self._sealer = sealer

    @staticmethod
    def _op(rq: ResourceQueries, op: str, resource: str) -> Any:
        spec = getattr(rq, op)
        if spec is None:
            raise MethodNotAllowed(f"'{op}' is not available on '{resource}'")
        return spec

    async def _table_for(self, cmd: ListResource | ShowResource, rq: ResourceQueries) -> Table | None:
        spec = rq.update or rq.delete or rq.create
        return await self._catalog.table(cmd.app, spec.table if spec else cmd.resource)

    async def page(self, rq: ResourceQueries, cmd: ListResource) -> Page:
        query: ReadQuery = self._op(rq, "list", cmd.resource)
        table = await self._table_for(cmd, rq)
        p = cmd.params
        _refuse_encrypted(table, p)
        wanted = sql_text.placeholders(query.query) - set(cmd.principal.bind_params()) - {"id"}
        values, extra = override_filters(query.query, p, wanted, table)
        missing = wanted - set(values)
        if missing:
            raise BadRequest(f"Missing query parameter '{sorted(missing)[0]}' for this resource")
        spec = rq.update or rq.delete or rq.create
        codec = codec_for(cmd.app.jwt_secret)
        order = query_order(query.query, query.order, p, spec.key if spec else "id", f"q:{cmd.resource}", codec)
        narrowed = and_statements(extra, order.seek)
        stmt = query.bind_list(cmd.principal, values, p.limit + 1, p.offset, narrowed, order.order)
        rows = await self._db.query(cmd.app.name, stmt.sql, stmt.params)
        window = cut_window(rows, p, order.keys, order.backward, codec, order.binding)
        await self._sealer.open(cmd.app.name, table, window.rows, spec.key if spec else None)
        total, counted = await list_total(
            self._db,
            cmd.app,
            p,
            len(window.rows),
            window.has_more,
            lambda: query.bind_count(cmd.principal, values, extra),
        )
        shown = [table.present(r) for r in window.rows] if table is not None else window.rows
        return Page(shown, p.limit, p.offset, window.has_more, window.next, window.prev, total, counted)

    async def everything(self, rq: ResourceQueries, principal: Principal, app: App, resource: str) -> list[Row]:
        if rq.list is None:
            raise MethodNotAllowed()
        stmt = rq.list.bind_all(principal)
        rows = await self._db.query(app.name, stmt.sql, stmt.params)
        spec = rq.update or rq.delete or rq.create
        table = await self._catalog.table(app, spec.table if spec else resource)
        await self._sealer.open(app.name, table, rows, spec.key if spec else None)
        return rows

    async def show(self, rq: ResourceQueries, cmd: ShowResource) -> Row:
        query: ReadQuery = self._op(rq, "show", cmd.resource)
        spec = rq.update or rq.delete or rq.create
        table = await self._table_for(cmd, rq)
        key = parse_key(cmd.key, table, spec.key if spec else "id")
        _refuse_encrypted(table, cmd.params)
        if cmd.params.sort:
            raise BadRequest("sort applies to lists only")
        wanted = sql_text.placeholders(query.query) - set(cmd.principal.bind_params()) - {"id"}
        values, extra = override_filters(query.query, cmd.params, wanted, table)
        if extra is not None:
            raise BadRequest("Filters apply to lists only")
        stmt = query.bind_show(cmd.principal, key, values)
        row = await self._db.query_one(cmd.app.name, stmt.sql, stmt.params)
        if row is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        await self._sealer.open(cmd.app.name, table, [row], spec.key if spec else None)
        return table.present(row) if table is not None else row

    async def _spec(self, rq: ResourceQueries, op: str, cmd: CreateResource | UpdateResource) -> WriteSpec:
        """The query file's spec with its owner column settled by the schema (see WriteSpec.owner)."""
        spec: WriteSpec = self._op(rq, op, cmd.resource)
        return spec.for_table(await self._catalog.table(cmd.app, spec.table))

    async def _validated(self, cmd: CreateResource | UpdateResource, spec: WriteSpec, partial: bool) -> dict[str, Any]:
        table = await self._catalog.table(cmd.app, spec.table)
        managed = set(spec.fields) - set(spec.without_managed(table))
        writable = tuple(f for f in spec.writable(cmd.principal) if f not in managed)
        if table is None:
            table = untyped_table(spec.table, writable)
        values = table.validate(cmd.body, writable=writable, partial=partial)
        check = spec.check_statement(cmd.principal, values)
        if check is not None and await self._db.query_one(cmd.app.name, check.sql, check.params) is None:
            raise Forbidden("These values are outside what you may write")
        return values

    async def _read_back(
        self, rq: ResourceQueries, app: App, principal: Principal, key: Any, spec: WriteSpec
    ) -> Row | None:
        if rq.show is None:
            return None
        stmt = rq.show.bind_show(principal, key, {})
        row = await self._db.query_one(app.name, stmt.sql, stmt.params)
        if row is not None:
            await self._sealer.open(app.name, await self._catalog.table(app, spec.table), [row], spec.key)
        return row

    async def _sealed(
        self, app: App, spec: WriteSpec, values: dict[str, Any], key: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the values as stored, the blind-index columns to write with them)."""
        table = await self._catalog.table(app, spec.table)
        if table is None or not table.encrypted:
            return values, {}
        stored = await self._sealer.seal(app.name, table, values, key)
        extra = {k: v for k, v in stored.items() if k not in values}
        return {k: stored[k] for k in values}, extra

    async def create(self, rq: ResourceQueries, cmd: CreateResource) -> tuple[Any, Row]:
        spec = await self._spec(rq, "create", cmd)
        values = await self._validated(cmd, spec, partial=False)
        stored, extra = await self._sealed(cmd.app, spec, values, None)
        stmt = spec.bind_insert(cmd.principal, stored, extra)
        result = await self._db.insert(cmd.app.name, stmt.sql, stmt.params)
        key = result.insert_id
        table = await self._catalog.table(cmd.app, spec.table)
        if table is not None and self._sealer.needs_binding(table, values):
            if key is None:
                raise InternalError(
                    f"the database gave no key for the new {spec.table} row, so its encrypted "
                    "fields cannot be bound to it"
                )
            bound = await self._sealer.bound(cmd.app.name, table, values, key)
            bind = bind_statement(spec.table, spec.key, key, bound)
            await self._db.update(cmd.app.name, bind.sql, bind.params)
        row = await self._read_back(rq, cmd.app, cmd.principal, key, spec) if key is not None else None
        return key, row or {spec.key: key, **values}

    async def update(self, rq: ResourceQueries, cmd: UpdateResource) -> tuple[Any, Row, Row]:
        spec = await self._spec(rq, "update", cmd)
        table = await self._catalog.table(cmd.app, spec.table)
        key = parse_key(cmd.key, table, spec.key)
        values = await self._validated(cmd, spec, partial=True)
        before = await self._read_back(rq, cmd.app, cmd.principal, key, spec) or {}
        stored, extra = await self._sealed(cmd.app, spec, values, key)
        stmt = spec.bind_update(cmd.principal, key, stored, extra)
        result = await self._db.update(cmd.app.name, stmt.sql, stmt.params)
        if result.affected_rows == 0:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        row = await self._read_back(rq, cmd.app, cmd.principal, key, spec)
        return key, before, row or {spec.key: key, **values}

    async def delete(self, rq: ResourceQueries, cmd: DeleteResource) -> tuple[Any, Row]:
        spec: WriteSpec = self._op(rq, "delete", cmd.resource)
        table = await self._catalog.table(cmd.app, spec.table)
        key = parse_key(cmd.key, table, spec.key)
        before = await self._read_back(rq, cmd.app, cmd.principal, key, spec) or {}
        stmt = spec.bind_delete(cmd.principal, key)
        result = await self._db.delete(cmd.app.name, stmt.sql, stmt.params)
        if result.affected_rows == 0:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        return key, before


def _refuse_encrypted(table: Table | None, params: ListParams) -> None:
    """A query file compares columns in SQL, where an encrypted field is ciphertext: no filter, no sort on it."""
    if table is None or not table.encrypted:
        return
    for cond in params.conditions:
        if cond.field in table.encrypted or cond.field in table.blind_columns():
            raise BadRequest(f"'{cond.field}' is encrypted: this resource's query cannot filter on it")
    for key in params.sort:
        if key.field in table.encrypted:
            raise BadRequest(f"'{key.field}' is encrypted: a list cannot be sorted by it")
