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
from application.ports.database import Database
from domain import sql_text
from domain.errors import BadRequest, Forbidden, MethodNotAllowed, NotFound
from domain.identifiers import is_int_text
from domain.principal import Principal
from domain.queries import TOTAL_COLUMN, ReadQuery, ResourceQueries, WriteSpec
from domain.schema import Field, FieldType, Table
from domain.statement import Row
from domain.text_filters import override_filters


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
    def __init__(self, database: Database, catalog: TableCatalog) -> None:
        self._db, self._catalog = database, catalog

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
        wanted = sql_text.placeholders(query.query) - set(cmd.principal.bind_params()) - {"id"}
        values, extra, order = override_filters(query.query, p, wanted, table)
        missing = wanted - set(values)
        if missing:
            raise BadRequest(f"Missing query parameter '{sorted(missing)[0]}' for this resource")
        stmt, counted = query.bind_list(cmd.principal, values, p.limit, p.offset, extra, order)
        rows = await self._db.query(cmd.app.name, stmt.sql, stmt.params)
        if counted and rows:
            total = int(rows[0].get(TOTAL_COLUMN) or 0)
            for r in rows:
                r.pop(TOTAL_COLUMN, None)
        elif counted and p.offset == 0:
            total = 0
        else:
            count = query.bind_count(cmd.principal, values, extra)
            found = await self._db.query_one(cmd.app.name, count.sql, count.params)
            total = int((found or {}).get("total") or 0)
        if table is not None:
            rows = [table.present(r) for r in rows]
        return Page(rows, total, p.limit, p.offset)

    async def everything(self, rq: ResourceQueries, principal: Principal, app_name: str) -> list[Row]:
        if rq.list is None:
            raise MethodNotAllowed()
        stmt = rq.list.bind_all(principal)
        return await self._db.query(app_name, stmt.sql, stmt.params)

    async def show(self, rq: ResourceQueries, cmd: ShowResource) -> Row:
        query: ReadQuery = self._op(rq, "show", cmd.resource)
        spec = rq.update or rq.delete or rq.create
        table = await self._table_for(cmd, rq)
        key = parse_key(cmd.key, table, spec.key if spec else "id")
        if cmd.params.sort:
            raise BadRequest("sort applies to lists only")
        wanted = sql_text.placeholders(query.query) - set(cmd.principal.bind_params()) - {"id"}
        values, extra, _ = override_filters(query.query, cmd.params, wanted, table)
        if extra is not None:
            raise BadRequest("Filters apply to lists only")
        stmt = query.bind_show(cmd.principal, key, values)
        row = await self._db.query_one(cmd.app.name, stmt.sql, stmt.params)
        if row is None:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        return table.present(row) if table is not None else row

    async def _validated(self, cmd: CreateResource | UpdateResource, spec: WriteSpec, partial: bool) -> dict[str, Any]:
        table = await self._catalog.table(cmd.app, spec.table)
        writable = spec.writable(cmd.principal)
        if table is None:
            table = untyped_table(spec.table, writable)
        values = table.validate(cmd.body, writable=writable, partial=partial)
        check = spec.check_statement(cmd.principal, values)
        if check is not None and await self._db.query_one(cmd.app.name, check.sql, check.params) is None:
            raise Forbidden("These values are outside what you may write")
        return values

    async def _read_back(self, rq: ResourceQueries, app_name: str, principal: Principal, key: Any) -> Row | None:
        if rq.show is None:
            return None
        stmt = rq.show.bind_show(principal, key, {})
        return await self._db.query_one(app_name, stmt.sql, stmt.params)

    async def create(self, rq: ResourceQueries, cmd: CreateResource) -> tuple[Any, Row]:
        spec: WriteSpec = self._op(rq, "create", cmd.resource)
        values = await self._validated(cmd, spec, partial=False)
        stmt = spec.bind_insert(cmd.principal, values)
        result = await self._db.insert(cmd.app.name, stmt.sql, stmt.params)
        key = result.insert_id
        row = await self._read_back(rq, cmd.app.name, cmd.principal, key) if key is not None else None
        return key, row or {spec.key: key, **stmt.params}

    async def update(self, rq: ResourceQueries, cmd: UpdateResource) -> tuple[Any, Row, Row]:
        spec: WriteSpec = self._op(rq, "update", cmd.resource)
        table = await self._catalog.table(cmd.app, spec.table)
        key = parse_key(cmd.key, table, spec.key)
        values = await self._validated(cmd, spec, partial=True)
        before = await self._read_back(rq, cmd.app.name, cmd.principal, key) or {}
        stmt = spec.bind_update(cmd.principal, key, values)
        result = await self._db.update(cmd.app.name, stmt.sql, stmt.params)
        if result.affected_rows == 0:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        row = await self._read_back(rq, cmd.app.name, cmd.principal, key)
        return key, before, row or {spec.key: key, **values}

    async def delete(self, rq: ResourceQueries, cmd: DeleteResource) -> tuple[Any, Row]:
        spec: WriteSpec = self._op(rq, "delete", cmd.resource)
        table = await self._catalog.table(cmd.app, spec.table)
        key = parse_key(cmd.key, table, spec.key)
        before = await self._read_back(rq, cmd.app.name, cmd.principal, key) or {}
        stmt = spec.bind_delete(cmd.principal, key)
        result = await self._db.delete(cmd.app.name, stmt.sql, stmt.params)
        if result.affected_rows == 0:
            raise NotFound(f"No {cmd.resource} with id {cmd.key}")
        return key, before
