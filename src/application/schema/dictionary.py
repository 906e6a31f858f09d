"""The data dictionary of an app (GET /api/_schema) and the routes its API serves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.app import App
from domain.relations import relations_of
from domain.schema import Field, Schema, Table

OP_ROUTES = (
    ("list", "GET", ""),
    ("create", "POST", ""),
    ("show", "GET", "/{id}"),
    ("update", "PUT", "/{id}"),
    ("update", "PATCH", "/{id}"),
    ("delete", "DELETE", "/{id}"),
)
AUTH_ROUTES = (
    ("POST", "/auth/register", "Create an account and sign in"),
    ("POST", "/auth/login", "Sign in: token, refresh token, user and the login_include resources"),
    ("POST", "/auth/refresh", "Trade a refresh token for a new pair (rotation)"),
    ("POST", "/auth/logout", "Revoke the token and its refresh family"),
    ("GET", "/auth/me", "The current user"),
)


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    operation: str  # list/show/create/update/delete, or auth/meta
    resource: str
    source: str  # schema | queries | platform


def field_entry(f: Field) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": f.type.value}
    flags = {
        "primary": f.primary,
        "auto": f.auto,
        "unique": f.unique,
        "required": f.is_required_on_create,
        "nullable": f.is_nullable,
        "encrypted": f.encrypted,
    }
    entry.update({k: v for k, v in flags.items() if v or k == "nullable"})
    for key, value in (
        ("default", f.default),
        ("max_length", f.max_length),
        ("foreign", f.foreign),
        ("filter", f.filter),
        ("auth", f.auth if f.auth == "login" else None),
        ("description", f.description or None),
    ):
        if value is not None:
            entry[key] = value
    return entry


def table_entry(schema: Schema, table: Table, app: App) -> dict[str, Any]:
    rq = app.resource(table.name)
    ops = sorted({*table.crud, *(rq.operations() if rq else ())})
    return {
        "name": table.name,
        "description": table.description,
        "primary_key": table.primary_key,
        "owner_field": table.owner_field,
        "operations": [op for op in ("list", "show", "create", "update", "delete") if op in ops],
        "overridden_by_queries": list(rq.operations()) if rq else [],
        "order": table.order or None,
        "fields": {n: field_entry(f) for n, f in table.fields.items() if not f.hidden},
        "relations": {
            name: {"kind": r.kind, "table": r.table, "local": r.local, "remote": r.remote}
            for name, r in relations_of(schema, table).items()
        },
    }


def data_dictionary(app: App, schema: Schema) -> dict[str, Any]:
    return {
        "app": app.name,
        "version": app.settings.version,
        "base_path": app.settings.base_path,
        "source": "schema.yaml" if app.schema is not None else "database",
        "tables": {name: table_entry(schema, t, app) for name, t in schema.tables.items() if _exposed(app, t)},
    }


def _exposed(app: App, table: Table) -> bool:
    return bool(table.crud) or app.resource(table.name) is not None


def routes(app: App) -> list[Route]:
    """Every route the gateway serves for this app, in a stable order."""
    found: list[Route] = []
    if app.auth is not None:
        found += [Route(m, p, "auth", "auth", "platform") for m, p, _ in AUTH_ROUTES]
    names = sorted({*app.resources, *(app.schema.tables if app.schema else ())})
    for name in names:
        rq = app.resource(name)
        table = app.schema.table(name) if app.schema else None
        for op, method, suffix in OP_ROUTES:
            if rq is not None and getattr(rq, op) is not None:
                found.append(Route(method, f"/{name}{suffix}", op, name, "queries"))
            elif table is not None and op in table.crud:
                found.append(Route(method, f"/{name}{suffix}", op, name, "schema"))
    return found
