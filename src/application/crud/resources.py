"""The CRUD use cases: find the resource, serve it from its query file or its schema table; every write is audited,
then told to its owner (push), whichever entry point made it (REST, mail rules...)."""

from __future__ import annotations

from typing import Any

from application.crud.catalog import TableCatalog
from application.crud.commands import CreateResource, DeleteResource, ListResource, Page, ShowResource, UpdateResource
from application.crud.query_resources import QueryResources
from application.crud.schema_resources import SchemaResources
from application.ports.audit import AuditEntry, AuditTrail, changes
from application.push.ports import ResourceEvents
from domain.app import App
from domain.crypt import masked
from domain.errors import BadRequest, Forbidden, MethodNotAllowed, NotFound
from domain.principal import Principal
from domain.push import EventKind
from domain.query.files import ResourceQueries
from domain.query.listing import ListParams
from domain.query.plan import plan_includes
from domain.query.statement import Row
from domain.query.text_filters import keep_fields
from domain.schema.model import Table


class Resources:
    def __init__(
        self,
        queries: QueryResources,
        tables: SchemaResources,
        catalog: TableCatalog,
        audit: AuditTrail,
        events: ResourceEvents,
    ) -> None:
        self._queries, self._tables, self._catalog, self._audit = queries, tables, catalog, audit
        self._events = events

    @staticmethod
    def _route(app: App, name: str, op: str, principal: Principal) -> ResourceQueries | Table:
        """The query file when it declares `op` (an override), else the schema table when it allows `op`."""
        rq = app.resource(name)
        if rq is not None and getattr(rq, op) is not None:
            return rq
        table = app.schema.table(name) if app.schema is not None else None
        if table is not None and op in table.crud:
            if not table.allows(principal.role, op):
                raise Forbidden(f"Role '{principal.role}' may not {op} '{name}'")
            return table
        if rq is None and (table is None or not table.crud):
            raise NotFound(f"Unknown resource '{name}'")
        raise MethodNotAllowed(f"'{op}' is not available on '{name}'")

    async def page(self, cmd: ListResource) -> Page:
        target = self._route(cmd.app, cmd.resource, "list", cmd.principal)
        if isinstance(target, Table):
            assert cmd.app.schema is not None
            return await self._tables.page(cmd.app, cmd.app.schema, target, cmd)
        page = await self._queries.page(target, cmd)
        await self._decorate(cmd.app, cmd.principal, cmd.resource, page.rows, cmd.params)
        return page

    async def show(self, cmd: ShowResource) -> Row:
        target = self._route(cmd.app, cmd.resource, "show", cmd.principal)
        if isinstance(target, Table):
            assert cmd.app.schema is not None
            return await self._tables.show(cmd.app, cmd.app.schema, target, cmd)
        row = await self._queries.show(target, cmd)
        await self._decorate(cmd.app, cmd.principal, cmd.resource, [row], cmd.params)
        return row

    async def _decorate(
        self, app: App, principal: Principal, resource: str, rows: list[Row], params: ListParams
    ) -> None:
        """`include` and `fields` on the rows of a query-file override (relations come from schema.yaml)."""
        names: tuple[str, ...] = ()
        if params.include:
            table = app.schema.table(resource) if app.schema is not None else None
            if app.schema is None or table is None:
                raise BadRequest(f"include needs '{resource}' in schema.yaml")
            nodes = plan_includes(app.schema, table, params.include)
            await self._tables.include(app, principal, rows, nodes)
            names = tuple(n.relation.name for n in nodes)
        keep_fields(rows, params.fields, names)

    async def create(self, cmd: CreateResource) -> tuple[Any, Row]:
        target = self._route(cmd.app, cmd.resource, "create", cmd.principal)
        if isinstance(target, Table):
            key, row = await self._tables.create(cmd.app, target, cmd)
        else:
            key, row = await self._queries.create(target, cmd)
        await self._record(cmd.app, cmd.principal, cmd.resource, key, "create", {}, row, cmd.request_id)
        self._events.written(cmd.app, cmd.principal, cmd.resource, EventKind.CREATED, key, row)
        return key, row

    async def update(self, cmd: UpdateResource) -> tuple[Any, Row]:
        target = self._route(cmd.app, cmd.resource, "update", cmd.principal)
        if isinstance(target, Table):
            key, before, after = await self._tables.update(cmd.app, target, cmd)
        else:
            key, before, after = await self._queries.update(target, cmd)
        await self._record(cmd.app, cmd.principal, cmd.resource, key, "update", before, after, cmd.request_id)
        self._events.written(cmd.app, cmd.principal, cmd.resource, EventKind.UPDATED, key, after)
        return key, after

    async def delete(self, cmd: DeleteResource) -> Any:
        target = self._route(cmd.app, cmd.resource, "delete", cmd.principal)
        if isinstance(target, Table):
            key, before = await self._tables.delete(cmd.app, target, cmd)
        else:
            key, before = await self._queries.delete(target, cmd)
        await self._record(cmd.app, cmd.principal, cmd.resource, key, "delete", before, {}, cmd.request_id)
        self._events.written(cmd.app, cmd.principal, cmd.resource, EventKind.DELETED, key)
        return key

    async def _record(
        self, app: App, p: Principal, resource: str, key: Any, action: str, before: Row, after: Row, rid: str
    ) -> None:
        if action == "update":
            before, after = changes(before, after)
        table = _written_table(app, resource)
        if table is not None and table.encrypted:  # the audit never holds an encrypted field's value
            before, after = masked(table, before), masked(table, after)
        await self._audit.record(AuditEntry(app.name, p.user_id, resource, key, action, before, after, rid))

    async def everything(self, app: App, principal: Principal, resource: str) -> list[Row]:
        """Every row the principal may see (the enriched login), from the query file or the table."""
        target = self._route(app, resource, "list", principal)
        if isinstance(target, Table):
            assert app.schema is not None
            return await self._tables.everything(app, target, principal)
        return await self._queries.everything(target, principal, app, resource)


def _written_table(app: App, resource: str) -> Table | None:
    """The schema table a write of `resource` lands in (its query file's `table`, else the table of that name)."""
    if app.schema is None:
        return None
    rq = app.resource(resource)
    spec = (rq.create or rq.update or rq.delete) if rq is not None else None
    return app.schema.table(spec.table if spec is not None else resource)
