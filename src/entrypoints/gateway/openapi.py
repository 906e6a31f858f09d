"""The OpenAPI 3.1 document of one app's real routes (auth, CRUD, list parameters, envelopes, errors)."""

from __future__ import annotations

from typing import Any

from application.schema.dictionary import routes
from domain.app import App
from domain.listing import DEFAULT_LIMIT, MAX_LIMIT, OPERATORS
from domain.queries import ResourceQueries
from domain.schema import Field, FieldType, Schema, Table
from domain.sql_text import placeholders

_TYPES: dict[FieldType, dict[str, Any]] = {
    FieldType.INT: {"type": "integer"},
    FieldType.FLOAT: {"type": "number"},
    FieldType.BOOL: {"type": "boolean"},
    FieldType.STRING: {"type": "string"},
    FieldType.TEXT: {"type": "string"},
    FieldType.DATE: {"type": "string", "format": "date"},
    FieldType.DATETIME: {"type": "string", "format": "date-time"},
}
ERRORS = {
    "400": ("BadRequest", "BAD_REQUEST", "The body or the query string cannot be understood"),
    "401": ("Unauthorized", "UNAUTHORIZED", "Missing, invalid, expired or revoked token"),
    "403": ("Forbidden", "FORBIDDEN", "Your role may not do this"),
    "404": ("NotFound", "NOT_FOUND", "No such resource or record (also another user's record)"),
    "405": ("MethodNotAllowed", "METHOD_NOT_ALLOWED", "The resource does not allow this operation"),
    "409": ("Conflict", "CONFLICT", "A unique value is already taken"),
    "413": ("PayloadTooLarge", "PAYLOAD_TOO_LARGE", "The body is over the size limit"),
    "422": ("ValidationError", "VALIDATION_ERROR", "Invalid values; `error.fields` lists each field"),
    "429": ("RateLimited", "RATE_LIMITED", "Too many attempts; see Retry-After"),
    "500": ("InternalError", "INTERNAL_ERROR", "Internal error"),
    "503": ("ServiceUnavailable", "SERVICE_UNAVAILABLE", "A service or the database is down; retry later"),
}


def field_schema(f: Field, for_input: bool = False) -> dict[str, Any]:
    s: dict[str, Any] = dict(_TYPES.get(f.type, {}))
    if f.max_length and f.type is FieldType.STRING:
        s["maxLength"] = f.max_length
    elif f.type is FieldType.STRING:
        s["maxLength"] = 255
    if f.description:
        s["description"] = f.description
    nullable = f.is_nullable
    if nullable and "type" in s:
        s["type"] = [s["type"], "null"]
    return s


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _envelope(data: dict[str, Any], meta: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"success": {"const": True}, "message": {"type": "string"}, "data": data}
    required = ["success", "message", "data"]
    if meta:
        props["meta"] = _ref("Meta")
        required.append("meta")
    return {"type": "object", "required": required, "properties": props}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: str) -> dict[str, Any]:
    return {c: {"$ref": f"#/components/responses/{ERRORS[c][0]}"} for c in (*codes, "500", "503")}


class OpenApiBuilder:
    def __init__(self, app: App, schema: Schema) -> None:
        self.app, self.schema = app, schema
        self.schemas: dict[str, Any] = {}

    def record(self, name: str, table: Table | None) -> dict[str, Any]:
        key = _title(name)
        if key not in self.schemas:
            if table is None:
                self.schemas[key] = {"type": "object", "additionalProperties": True}
            else:
                props = {n: field_schema(f) for n, f in table.fields.items() if not f.hidden}
                self.schemas[key] = {"type": "object", "properties": props, "additionalProperties": True}
        return _ref(key)

    def write_input(self, name: str, table: Table | None, fields: tuple[str, ...], partial: bool) -> dict[str, Any]:
        key = _title(name) + ("Patch" if partial else "Input")
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
        return _ref(key)

    def list_parameters(self, table: Table | None, rq: ResourceQueries | None) -> list[dict[str, Any]]:
        params: list[dict[str, Any]] = [
            {"$ref": "#/components/parameters/limit"},
            {"$ref": "#/components/parameters/offset"},
        ]
        if rq is not None and rq.list is not None:
            for name in sorted(
                placeholders(rq.list.query) - {"user_id", "role", *(self.app.auth.claims if self.app.auth else ())}
            ):
                params.append({"name": name, "in": "query", "required": True, "schema": {"type": "string"}})
            return params
        if table is None:
            return params
        params += [{"$ref": f"#/components/parameters/{p}"} for p in ("sort", "fields", "include")]
        for n, f in table.fields.items():
            if f.hidden or f.type is FieldType.JSON:
                continue
            params.append(
                {
                    "name": n,
                    "in": "query",
                    "required": False,
                    "schema": {"type": "string"},
                    "description": f"{n} equals",
                }
            )
            for op in OPERATORS:
                if op == "eq" or (op == "like" and f.type not in (FieldType.STRING, FieldType.TEXT)):
                    continue
                params.append({"name": f"{n}[{op}]", "in": "query", "required": False, "schema": {"type": "string"}})
        return params

    def build(self) -> dict[str, Any]:
        paths: dict[str, Any] = {}
        secured = [{"bearerAuth": []}]
        for route in routes(self.app):
            item = paths.setdefault(route.path, {})
            op = self._operation(route.method, route.path, route.operation, route.resource, secured)
            item[route.method.lower()] = op
        paths["/_schema"] = {
            "get": {
                "summary": "Data dictionary of this app",
                "tags": ["meta"],
                "security": secured,
                "responses": {"200": _json(_envelope({"type": "object"}), "The dictionary"), **_errors("401")},
            }
        }
        paths["/_schema/{table}"] = {
            "get": {
                "summary": "One table of the data dictionary",
                "tags": ["meta"],
                "security": secured,
                "parameters": [{"name": "table", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json(_envelope({"type": "object"}), "The table"), **_errors("401", "404")},
            }
        }
        paths["/_openapi.json"] = {
            "get": {
                "summary": "This document",
                "tags": ["meta"],
                "security": [],
                "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")},
            }
        }
        paths["/_docs"] = {
            "get": {
                "summary": "A page to browse this document",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
                },
            }
        }
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
            "components": self._components(),
        }

    def _operation(self, method: str, path: str, op: str, resource: str, secured: list[Any]) -> dict[str, Any]:
        if op == "auth":
            return self._auth(path, secured)
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
                    "200": _json(_envelope({"type": "array", "items": record}, meta=True), "A page"),
                    **_errors("400", "401", "403"),
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
                responses={"200": _json(_envelope(record), "The record"), **_errors("400", "401", "403", "404")},
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
                    "201": _json(_envelope(record), "Created"),
                    **_errors("400", "401", "403", "409", "413", "422"),
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
                    "200": _json(_envelope(record), "Updated"),
                    **_errors("400", "401", "403", "404", "409", "413", "422"),
                },
            )
        else:
            result.update(
                summary=f"Delete one of {resource}",
                parameters=id_param,
                responses={
                    "200": _json(_envelope({"type": "object", "properties": {"id": {}}}), "Deleted"),
                    **_errors("401", "403", "404", "409"),
                },
            )
        return result

    def _writable(self, table: Table | None, rq: ResourceQueries | None, op: str) -> tuple[str, ...]:
        spec = getattr(rq, op) if rq else None
        owned = {"user_id", *(self.app.auth.claims if self.app.auth else ())}
        if spec is not None:
            return tuple(f for f in spec.fields if f not in owned and f != spec.key)
        return tuple(f for f in (table.writable_fields() if table else ()) if f not in owned)

    def _auth(self, path: str, secured: list[Any]) -> dict[str, Any]:
        auth = self.app.auth
        assert auth is not None
        session = _ref("Session")
        login_body = {
            "type": "object",
            "required": ["email", "password"],
            "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
        }
        if path == "/auth/login":
            return {
                "tags": ["auth"],
                "summary": "Sign in",
                "security": [],
                "operationId": "login",
                "requestBody": {"required": True, "content": {"application/json": {"schema": login_body}}},
                "responses": {
                    "200": _json(_envelope(session), "Signed in (with the login_include resources)"),
                    **_errors("400", "401", "413", "422", "429"),
                },
            }
        if path == "/auth/register":
            fields = auth.register.fields if auth.register else ()
            required = list(auth.register.required) if auth.register else []
            body = {"type": "object", "required": required, "properties": {f: {"type": "string"} for f in fields}}
            return {
                "tags": ["auth"],
                "summary": "Create an account",
                "security": [],
                "operationId": "register",
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {
                    "201": _json(_envelope(session), "Registered and signed in"),
                    **_errors("400", "403", "409", "413", "422", "429"),
                },
            }
        if path == "/auth/refresh":
            body = {
                "type": "object",
                "required": ["refresh_token"],
                "properties": {"refresh_token": {"type": "string"}},
            }
            return {
                "tags": ["auth"],
                "summary": "Rotate the refresh token",
                "security": [],
                "operationId": "refresh",
                "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                "responses": {"200": _json(_envelope(session), "New tokens"), **_errors("400", "401", "422")},
            }
        if path == "/auth/logout":
            body = {"type": "object", "properties": {"refresh_token": {"type": "string"}}}
            return {
                "tags": ["auth"],
                "summary": "Sign out",
                "security": secured,
                "operationId": "logout",
                "requestBody": {"required": False, "content": {"application/json": {"schema": body}}},
                "responses": {"200": _json(_envelope({"type": "null"}), "Signed out"), **_errors("400", "401")},
            }
        return {
            "tags": ["auth"],
            "summary": "The current user",
            "security": secured,
            "operationId": "me",
            "responses": {
                "200": _json(_envelope({"type": "object", "properties": {"user": _ref("User")}}), "You"),
                **_errors("401"),
            },
        }

    def _components(self) -> dict[str, Any]:
        schemas = dict(self.schemas)
        schemas["FieldError"] = {
            "type": "object",
            "required": ["field", "message"],
            "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
        }
        schemas["Error"] = {
            "type": "object",
            "required": ["success", "error"],
            "properties": {
                "success": {"const": False},
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "fields": {"type": "array", "items": _ref("FieldError")},
                    },
                },
            },
        }
        schemas["Meta"] = {
            "type": "object",
            "required": ["total", "limit", "offset"],
            "properties": {k: {"type": "integer"} for k in ("total", "limit", "offset")},
        }
        schemas["User"] = {"type": "object", "additionalProperties": True}
        schemas["Session"] = {
            "type": "object",
            "required": ["token", "token_type", "expires_in", "refresh_token", "user"],
            "properties": {
                "token": {"type": "string"},
                "token_type": {"const": "Bearer"},
                "expires_in": {"type": "integer"},
                "refresh_token": {"type": "string"},
                "user": _ref("User"),
            },
            "additionalProperties": True,
        }
        responses = {name: _json(_ref("Error"), text) for name, _code, text in ERRORS.values()}
        parameters = {
            "id": {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
            "limit": {
                "name": "limit",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
            },
            "offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}},
            "sort": {
                "name": "sort",
                "in": "query",
                "schema": {"type": "string"},
                "description": "Comma-separated fields; `-field` for descending",
            },
            "fields": {
                "name": "fields",
                "in": "query",
                "schema": {"type": "string"},
                "description": "Comma-separated fields to return",
            },
            "include": {
                "name": "include",
                "in": "query",
                "schema": {"type": "string"},
                "description": "Comma-separated relations (dotted for nesting, up to 3 levels)",
            },
        }
        return {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": schemas,
            "responses": responses,
            "parameters": parameters,
        }


def _title(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_")) or "Record"


def openapi_document(app: App, schema: Schema) -> dict[str, Any]:
    return OpenApiBuilder(app, schema).build()
