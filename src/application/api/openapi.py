"""The OpenAPI 3.1 document of one app's real routes (auth, CRUD, list parameters, envelopes, errors): a pure
function of its route table and the schema its fields are read from."""

from __future__ import annotations

from typing import Any

from application.api.openapi_parts import (
    components,
    envelope,
    errors,
    field_schema,
    json_body,
    query_param,
    ref,
    title,
)
from application.api.openapi_platform import auth_operation, meta_operations
from application.api.routes import RouteTable
from domain.query.files import ResourceQueries
from domain.query.listing import OPERATORS
from domain.query.sql_text import placeholders
from domain.schema.model import FieldType, Schema, Table


class OpenApiBuilder:
    def __init__(self, routes: RouteTable, schema: Schema) -> None:
        self.routes, self.app, self.schema = routes, routes.app, schema
        self.schemas: dict[str, Any] = {}

    def record(self, name: str, table: Table | None) -> dict[str, Any]:
        key = title(name)
        if key not in self.schemas:
            if table is None:
                self.schemas[key] = {"type": "object", "additionalProperties": True}
            else:
                props = {n: field_schema(f) for n, f in table.fields.items() if not f.hidden}
                self.schemas[key] = {"type": "object", "properties": props, "additionalProperties": True}
        return ref(key)

    def write_input(self, name: str, table: Table | None, fields: tuple[str, ...], partial: bool) -> dict[str, Any]:
        key = title(name) + ("Patch" if partial else "Input")
        if key not in self.schemas:
            props: dict[str, Any] = {}
            required: list[str] = []
            for n in fields:
                f = table.fields.get(n) if table else None
                props[n] = field_schema(f, for_input=True) if f else {}
                if f is not None and not partial and f.is_required_on_create:
                    required.append(n)
            body: dict[str, Any] = {"type": "object", "properties": props}
            if required:
                body["required"] = required
            self.schemas[key] = body
        return ref(key)

    def list_parameters(self, table: Table | None, rq: ResourceQueries | None) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = [
            {"$ref": f"#/components/parameters/{p}"} for p in ("limit", "offset", "after", "before", "count")
        ]
        if rq is not None and rq.list is not None:
            for name in sorted(
                placeholders(rq.list.query) - {"user_id", "role", *(self.app.auth.claims if self.app.auth else ())}
            ):
                params.append(query_param(name, required=True))
            return params
        if table is None:
            return params
        params += [{"$ref": f"#/components/parameters/{p}"} for p in ("sort", "fields", "include")]
        for n, f in table.fields.items():
            if f.hidden or f.type is FieldType.JSON:
                continue
            if f.encrypted:  # the database holds ciphertext: equality through a blind index, and [null]
                if f.blind_index:
                    described = f"{n} equals (encrypted: compared through its blind index)"
                    params.append(query_param(n, description=described, required=False))
                params.append(query_param(f"{n}[null]", required=False))
                continue
            params.append(query_param(n, description=f"{n} equals", required=False))
            for op in OPERATORS:
                if op == "eq" or (op == "like" and f.type not in (FieldType.STRING, FieldType.TEXT)):
                    continue
                params.append(query_param(f"{n}[{op}]", required=False))
        return params

    def build(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        secured: list[dict[str, list[str]]] = [{"bearerAuth": []}]
        for route in self.routes.routes:
            item = paths.setdefault(route.path, {})
            op = self._operation(route.method, route.path, route.operation, route.resource, secured)
            item[route.method.lower()] = op
        meta = meta_operations(secured)
        for route in self.routes.meta:
            paths.setdefault(route.path, {})[route.method.lower()] = meta[route.path][route.method.lower()]
        return {
            "openapi": "3.1.0",
            "info": {
                "title": f"{self.app.name} API",
                "version": self.app.settings.version,
                "description": f"REST API of the `{self.app.name}` app, served by SOGOMS. Every response uses the "
                "envelope `{success, message, data}` or `{success: false, error: {code, message}}`.",
            },
            "servers": [{"url": self.app.settings.base_path}],
            "paths": paths,
            "components": components(self.schemas),
        }

    def _operation(self, method: str, path: str, op: str, resource: str, secured: list[Any]) -> dict[str, Any]:
        if op == "auth":
            return auth_operation(self.app, path, secured)
        table = self.schema.table(resource)
        rq = self.app.resource(resource)
        record = self.record(resource, table)
        result: dict[str, Any] = {
            "tags": [resource],
            "security": secured,
            "operationId": f"{op}_{resource}_{method.lower()}",
        }
        id_param = [{"$ref": "#/components/parameters/id"}]
        if op == "list":
            result.update(
                summary=f"List {resource}",
                parameters=self.list_parameters(table, rq),
                responses={
                    "200": {
                        **json_body(envelope({"type": "array", "items": record}, meta=True), "A page"),
                        "headers": {
                            "Link": {
                                "schema": {"type": "string"},
                                "description": 'RFC 8288 links to the next and previous pages (rel="next", rel="prev")',
                            }
                        },
                    },
                    **errors("400", "401", "403"),
                },
            )
        elif op == "show":
            params = id_param + (
                [{"$ref": f"#/components/parameters/{p}"} for p in ("fields", "include")]
                if table and not (rq and rq.show)
                else []
            )
            result.update(
                summary=f"Show one of {resource}",
                parameters=params,
                responses={"200": json_body(envelope(record), "The record"), **errors("400", "401", "403", "404")},
            )
        elif op == "create":
            fields = self._writable(table, rq, "create")
            result.update(
                summary=f"Create one of {resource}",
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": self.write_input(resource, table, fields, False)}},
                },
                responses={
                    "201": json_body(envelope(record), "Created"),
                    **errors("400", "401", "403", "409", "413", "422"),
                },
            )
        elif op == "update":
            partial = method == "PATCH" or bool(rq and rq.update)
            fields = self._writable(table, rq, "update")
            result.update(
                summary=("Change some fields of" if partial else "Replace") + f" one of {resource}",
                parameters=id_param,
                requestBody={
                    "required": True,
                    "content": {"application/json": {"schema": self.write_input(resource, table, fields, partial)}},
                },
                responses={
                    "200": json_body(envelope(record), "Updated"),
                    **errors("400", "401", "403", "404", "409", "413", "422"),
                },
            )
        else:
            result.update(
                summary=f"Delete one of {resource}",
                parameters=id_param,
                responses={
                    "200": json_body(envelope({"type": "object", "properties": {"id": {}}}), "Deleted"),
                    **errors("401", "403", "404", "409"),
                },
            )
        return result

    def _writable(self, table: Table | None, rq: ResourceQueries | None, op: str) -> tuple[str, ...]:
        spec = getattr(rq, op) if rq else None
        owned = {"user_id", *(self.app.auth.claims if self.app.auth else ())}
        if spec is not None:
            return tuple(f for f in spec.fields if f not in owned and f != spec.key)
        return tuple(f for f in (table.writable_fields() if table else ()) if f not in owned)


def openapi_document(routes: RouteTable, schema: Schema) -> dict[str, Any]:
    return OpenApiBuilder(routes, schema).build()
