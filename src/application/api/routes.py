"""The route table of an app's API: the one place its grammar lives.

Every app answers the same grammar (GRAMMAR: auth actions, `/{resource}`, `/{resource}/{id}`, the meta paths) under
its own base path; its schema.yaml and query files say which resources and operations exist (`RouteTable.routes`).
The gateway dispatches with `RouteTable.match`, labels its metrics with the matched endpoint's template, and the
OpenAPI document and the data dictionary are built from `routes`: a route added here is served, counted and
documented at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.app import App

GET = ("GET", "HEAD")  # HEAD goes with GET; OPTIONS answers on every routed path and lists the others


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One path template and what answers it: `handler` names what serves it (the gateway's controller maps the name
    to a method); UNKNOWN answers the method check then 404; NOWHERE is 404 whatever the method."""

    template: str  # as in the OpenAPI document and the metrics labels (never a raw value)
    handler: str
    methods: tuple[str, ...] = GET
    allow: str = field(init=False)  # "GET, HEAD": a 405's message
    options: str = field(init=False)  # "OPTIONS, GET, HEAD": the Allow header

    def __post_init__(self) -> None:
        object.__setattr__(self, "allow", ", ".join(self.methods))
        object.__setattr__(self, "options", ", ".join(("OPTIONS", *self.methods)))


UNKNOWN = "unknown"  # a path of the grammar's shape that names nothing: the method check, then 404
NOWHERE = "nowhere"  # not a path of the grammar: 404

COLLECTION = Endpoint("/{resource}", "collection", ("GET", "HEAD", "POST"))
ITEM = Endpoint("/{resource}/{id}", "item", ("GET", "HEAD", "PUT", "PATCH", "DELETE"))
AUTH_ACTIONS: dict[str, tuple[str, ...]] = {  # action: its methods (each action is served by its own handler)
    "register": ("POST",),
    "login": ("POST",),
    "refresh": ("POST",),
    "logout": ("POST",),
    "me": GET,
}
AUTH = {action: Endpoint(f"/auth/{action}", action, methods) for action, methods in AUTH_ACTIONS.items()}
SCHEMA = Endpoint("/_schema", "schema")
SCHEMA_TABLE = Endpoint("/_schema/{table}", "schema")
OPENAPI = Endpoint("/_openapi.json", "openapi")
DOCS = Endpoint("/_docs", "docs")
INTROSPECT = Endpoint("/_admin/schema/introspect", "introspect")
GENERATE = Endpoint("/_admin/schema/generate", "generate", ("POST",))
AUTH_UNKNOWN = Endpoint("/auth/{action}", UNKNOWN, ("POST",))
META_UNKNOWN = Endpoint("other", UNKNOWN)  # an unknown `_...` path: reserved for the platform, never a resource
ROOT = Endpoint("/", NOWHERE)
OTHER = Endpoint("other", NOWHERE)  # outside the base path, or deeper than the grammar goes

# The grammar: literal paths, then shapes (first segment, number of segments), then `/{resource}[/{id}]`.
_LITERAL: dict[str, Endpoint] = {
    **{e.template[1:]: e for e in AUTH.values()},
    **{e.template[1:]: e for e in (SCHEMA, OPENAPI, DOCS, INTROSPECT, GENERATE)},
}
_SHAPED: dict[tuple[str, int], Endpoint] = {("_schema", 2): SCHEMA_TABLE, ("auth", 2): AUTH_UNKNOWN}
_HEADS = frozenset({p.partition("/")[0] for p in _LITERAL} | {head for head, _n in _SHAPED})
META = (SCHEMA, SCHEMA_TABLE, INTROSPECT, GENERATE, OPENAPI, DOCS)  # in the order the OpenAPI document lists them

# The CRUD operations of a resource: (operation, method, endpoint), in a stable order.
OPERATIONS = (
    ("list", "GET", COLLECTION),
    ("create", "POST", COLLECTION),
    ("show", "GET", ITEM),
    ("update", "PUT", ITEM),
    ("update", "PATCH", ITEM),
    ("delete", "DELETE", ITEM),
)
CRUD_ORDER = ("list", "show", "create", "update", "delete")


def endpoint_of(parts: tuple[str, ...]) -> Endpoint:
    """The endpoint of a path's non-empty segments (below the base path)."""
    n = len(parts)
    if n == 0:
        return ROOT
    head = parts[0]
    if head in _HEADS or head[0] == "_":
        found = _LITERAL.get("/".join(parts)) or _SHAPED.get((head, n))
        if found is not None:
            return found
        if head[0] == "_":
            return META_UNKNOWN
    if n == 1:
        return COLLECTION
    return ITEM if n == 2 else OTHER


Match = tuple[Endpoint, tuple[str, ...]]  # the endpoint, and the path's segments below the base path
SEEN, SEEN_LENGTH = 4096, 200  # paths each table remembers, and their length at most: bounded memory whatever
# the requests (lists, logins and the meta paths repeat; a path with an id may not)


def match(path: str, base_path: str) -> Match:
    """The endpoint a request path reaches in an app served under `base_path`, and the path's segments."""
    if base_path != "/":
        if not path.startswith(base_path) or (len(path) > len(base_path) and path[len(base_path)] != "/"):
            return OTHER, ()
        path = path[len(base_path) :]
    parts = tuple([p for p in path.split("/") if p])
    return endpoint_of(parts), parts


@dataclass(frozen=True, slots=True)
class Route:
    """One operation an app's API serves: a method on a concrete path."""

    method: str
    path: str  # "/projects/{id}", "/auth/login", "/_schema/{table}"
    operation: str  # list/show/create/update/delete, or auth/meta
    resource: str
    source: str  # schema | queries | platform
    endpoint: Endpoint


@dataclass(frozen=True, slots=True)
class RouteTable:
    """What one loaded app serves, from its schema.yaml and query files."""

    app: App
    routes: tuple[Route, ...]  # auth (when the app has users), then each resource's CRUD operations, in a stable order
    meta: tuple[Route, ...]  # the platform's meta paths, served to every app
    seen: dict[str, Match] = field(default_factory=dict, compare=False, repr=False)  # path -> its match

    def match(self, path: str) -> Match:
        """The request path's match: one dict lookup for a path seen before."""
        found = self.seen.get(path)
        if found is None:
            found = match(path, self.app.settings.base_path)
            if len(self.seen) < SEEN and len(path) <= SEEN_LENGTH:
                self.seen[path] = found
        return found

    def operations(self, resource: str, source: str = "") -> list[str]:
        """The CRUD operations served on `resource` (those served from `source`, when given), in CRUD_ORDER."""
        ops = {
            r.operation
            for r in self.routes
            if r.resource == resource and r.source != "platform" and (not source or r.source == source)
        }
        return [op for op in CRUD_ORDER if op in ops]


def route_table(app: App) -> RouteTable:
    found: list[Route] = []
    if app.auth is not None:
        found += [Route(e.methods[0], e.template, "auth", "auth", "platform", e) for e in AUTH.values()]
    names = sorted({*app.resources, *(app.schema.tables if app.schema else ())})
    for name in names:
        rq = app.resource(name)
        table = app.schema.table(name) if app.schema else None
        for op, method, endpoint in OPERATIONS:
            path = endpoint.template.replace("{resource}", name)
            if rq is not None and getattr(rq, op) is not None:
                found.append(Route(method, path, op, name, "queries", endpoint))
            elif table is not None and op in table.crud:
                found.append(Route(method, path, op, name, "schema", endpoint))
    meta = tuple(Route(e.methods[0], e.template, "meta", "meta", "platform", e) for e in META)
    return RouteTable(app, tuple(found), meta)


class RouteTables:
    """One RouteTable per loaded app: built on first use, built again when the registry loads a new App."""

    def __init__(self) -> None:
        self._tables: dict[str, RouteTable] = {}

    def of(self, app: App) -> RouteTable:
        table = self._tables.get(app.name)
        if table is None or table.app is not app:
            table = self._tables[app.name] = route_table(app)
        return table

    def match(self, app: App, path: str) -> Match:
        """`of(app).match(path)` in one call (once per request)."""
        return self.of(app).match(path)
