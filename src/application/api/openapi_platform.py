"""The operations the platform serves to every app, as the OpenAPI document describes them: auth and meta."""

from __future__ import annotations

from typing import Any

from application.api.openapi_parts import envelope, errors, json_body, ref
from application.api.routes import DOCS, GENERATE, INTROSPECT, OPENAPI, SCHEMA, SCHEMA_TABLE
from domain.app import App


def auth_operation(app: App, path: str, secured: list[Any]) -> dict[str, Any]:
    """The operation of one of the auth routes."""
    auth = app.auth
    assert auth is not None
    session = ref("Session")
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
                "200": json_body(envelope(session), "Signed in (with the login_include resources)"),
                **errors("400", "401", "413", "422", "429"),
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
                "201": json_body(envelope(session), "Registered and signed in"),
                **errors("400", "403", "409", "413", "422", "429"),
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
            "responses": {"200": json_body(envelope(session), "New tokens"), **errors("400", "401", "422")},
        }
    if path == "/auth/logout":
        body = {"type": "object", "properties": {"refresh_token": {"type": "string"}}}
        return {
            "tags": ["auth"],
            "summary": "Sign out",
            "security": secured,
            "operationId": "logout",
            "requestBody": {"required": False, "content": {"application/json": {"schema": body}}},
            "responses": {"200": json_body(envelope({"type": "null"}), "Signed out"), **errors("400", "401")},
        }
    return {
        "tags": ["auth"],
        "summary": "The current user",
        "security": secured,
        "operationId": "me",
        "responses": {
            "200": json_body(envelope({"type": "object", "properties": {"user": ref("User")}}), "You"),
            **errors("401"),
        },
    }


def meta_operations(secured: list[Any]) -> dict[str, dict[str, Any]]:
    """The path item of each meta endpoint (the data dictionary, the schema admin, this document and its page)."""
    admin: list[dict[str, list[str]]] = [{"adminToken": []}]
    return {
        SCHEMA.template: {
            "get": {
                "summary": "Data dictionary of this app",
                "tags": ["meta"],
                "security": secured,
                "responses": {"200": json_body(envelope({"type": "object"}), "The dictionary"), **errors("401")},
            }
        },
        SCHEMA_TABLE.template: {
            "get": {
                "summary": "One table of the data dictionary",
                "tags": ["meta"],
                "security": secured,
                "parameters": [{"name": "table", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": json_body(envelope({"type": "object"}), "The table"), **errors("401", "404")},
            }
        },
        INTROSPECT.template: {
            "get": {
                "summary": "The live database as the platform reads it (tables, fields, keys)",
                "description": "Takes the app's admin token (X-Admin-Token), never a user's token; 403 while the app "
                "has no admin token (`sogoms secrets init APP --admin-token`).",
                "tags": ["admin"],
                "operationId": "adminSchemaIntrospect",
                "security": admin,
                "responses": {
                    "200": json_body(
                        envelope({"type": "object", "properties": {"tables": {"type": "object"}}}), "Schema"
                    ),
                    **errors("401", "403"),
                },
            }
        },
        GENERATE.template: {
            "post": {
                "summary": "schema.yaml generated from the live database (annotations of the current one kept)",
                "description": "Writes nothing: `sogoms schema generate APP` writes the file. Takes the app's admin "
                "token (X-Admin-Token).",
                "tags": ["admin"],
                "operationId": "adminSchemaGenerate",
                "security": admin,
                "responses": {
                    "200": json_body(
                        envelope(
                            {
                                "type": "object",
                                "required": ["schema_yaml", "tables"],
                                "properties": {
                                    "schema_yaml": {"type": "string"},
                                    "tables": {"type": "array", "items": {"type": "string"}},
                                },
                            }
                        ),
                        "The generated schema.yaml",
                    ),
                    **errors("401", "403"),
                },
            }
        },
        OPENAPI.template: {
            "get": {
                "summary": "This document",
                "tags": ["meta"],
                "security": [],
                "responses": {"200": json_body({"type": "object"}, "OpenAPI 3.1")},
            }
        },
        DOCS.template: {
            "get": {
                "summary": "A page to browse this document",
                "tags": ["meta"],
                "security": [],
                "responses": {
                    "200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}}
                },
            }
        },
    }
