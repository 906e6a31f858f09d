"""An app's route table: the grammar the gateway dispatches on, the labels of its metrics, the routes its documents
list."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.api.dictionary import data_dictionary
from application.api.routes import (
    AUTH,
    COLLECTION,
    ITEM,
    NOWHERE,
    OTHER,
    ROOT,
    SCHEMA_TABLE,
    UNKNOWN,
    RouteTables,
    match,
    route_table,
)
from domain.app import App, AppSettings, DatabaseSettings
from domain.query.files import ReadQuery, ResourceQueries
from domain.schema.model import Field, FieldType, Schema, Table

ID = Field(FieldType.INT, "id", primary=True, auto=True)
NAME = Field(FieldType.STRING, "name", nullable=False)
SCHEMA = Schema(
    {
        "notes": Table("notes", {"id": ID, "name": NAME}),
        "tags": Table("tags", {"id": ID, "name": NAME}, crud=("list", "show")),
        "audit": Table("audit", {"id": ID, "name": NAME}, crud=()),
    }
)
NOTES_LIST = ResourceQueries(list=ReadQuery("SELECT id, name FROM notes"))
REPORT = ResourceQueries(list=ReadQuery("SELECT id, name FROM audit"))


def app(schema: Schema | None = SCHEMA, base_path: str = "/api") -> App:
    settings = AppSettings(
        app="shop", hosts=("shop.test",), database=DatabaseSettings(url="sqlite+aiosqlite://"), base_path=base_path
    )
    return App(settings, {"notes": NOTES_LIST, "report": REPORT}, None, b"k" * 32, schema)


@pytest.mark.parametrize(
    ("path", "template", "methods"),
    [
        ("/api/projects", "/{resource}", ("GET", "HEAD", "POST")),
        ("/api//projects/", "/{resource}", ("GET", "HEAD", "POST")),
        ("/api/projects/123", "/{resource}/{id}", ("GET", "HEAD", "PUT", "PATCH", "DELETE")),
        ("/api/auth", "/{resource}", ("GET", "HEAD", "POST")),
        ("/api/auth/login", "/auth/login", ("POST",)),
        ("/api/auth/me", "/auth/me", ("GET", "HEAD")),
        ("/api/auth/whatever", "/auth/{action}", ("POST",)),
        ("/api/_schema", "/_schema", ("GET", "HEAD")),
        ("/api/_schema/projects", "/_schema/{table}", ("GET", "HEAD")),
        ("/api/_openapi.json", "/_openapi.json", ("GET", "HEAD")),
        ("/api/_docs", "/_docs", ("GET", "HEAD")),
        ("/api/_admin/schema/introspect", "/_admin/schema/introspect", ("GET", "HEAD")),
        ("/api/_admin/schema/generate", "/_admin/schema/generate", ("POST",)),
        ("/api/_admin/schema/nope", "other", ("GET", "HEAD")),
        ("/api/_anything/else", "other", ("GET", "HEAD")),
        ("/api", "/", None),
        ("/apix/projects", "other", None),
        ("/elsewhere", "other", None),
        ("/api/a/b/c", "other", None),
        ("/api/auth/a/b", "other", None),
    ],
)
def test_each_path_reaches_one_endpoint_whose_template_carries_no_raw_value(path, template, methods):
    endpoint, _parts = match(path, "/api")
    assert endpoint.template == template
    if methods is None:
        assert endpoint.handler == NOWHERE  # 404 whatever the method
    else:
        assert endpoint.methods == methods
        assert endpoint.options == ", ".join(("OPTIONS", *methods))


def test_paths_of_the_grammar_that_name_nothing_answer_the_method_check_then_404():
    assert match("/api/auth/whatever", "/api")[0].handler == UNKNOWN
    assert match("/api/_x", "/api")[0].handler == UNKNOWN
    assert {e.handler for e in AUTH.values()} == {"register", "login", "refresh", "logout", "me"}


def test_the_segments_come_without_the_base_path():
    assert match("/api/projects/7", "/api") == (ITEM, ("projects", "7"))
    assert match("/projects", "/") == (COLLECTION, ("projects",))
    assert match("/_schema/tags", "/") == (SCHEMA_TABLE, ("_schema", "tags"))
    assert match("/", "/")[0] is ROOT
    assert match("/apifoo", "/api")[0] is OTHER


def test_the_routes_come_from_the_schema_and_the_query_files():
    table = route_table(app())
    served = {(r.method, r.path, r.operation, r.source) for r in table.routes}
    assert ("GET", "/notes", "list", "queries") in served  # the query file overrides the table's list
    assert ("POST", "/notes", "create", "schema") in served
    assert ("PATCH", "/notes/{id}", "update", "schema") in served
    assert ("GET", "/tags/{id}", "show", "schema") in served and ("POST", "/tags", "create", "schema") not in served
    assert ("GET", "/report", "list", "queries") in served
    assert not any(r.resource == "audit" for r in table.routes)  # crud: [] and no query file
    assert not any(r.operation == "auth" for r in table.routes)  # the app has no users
    assert table.operations("notes") == ["list", "show", "create", "update", "delete"]
    assert table.operations("notes", source="queries") == ["list"]
    assert table.operations("tags") == ["list", "show"]
    assert [r.path for r in table.meta] == [
        "/_schema",
        "/_schema/{table}",
        "/_admin/schema/introspect",
        "/_admin/schema/generate",
        "/_openapi.json",
        "/_docs",
    ]
    for route in (*table.routes, *table.meta):  # each documented route is one the dispatch serves
        endpoint, _parts = match("/api" + route.path, "/api")
        assert endpoint is route.endpoint and route.method in endpoint.methods


def test_one_table_per_loaded_app_built_again_for_a_new_load():
    tables = RouteTables()
    first = app()
    assert tables.of(first) is tables.of(first)
    reloaded = replace(first, resources={})
    assert tables.of(reloaded) is not tables.of(first)
    assert tables.of(reloaded).operations("report") == []


def test_the_dictionary_lists_the_tables_the_routes_serve():
    dictionary = data_dictionary(route_table(app()), SCHEMA)
    assert set(dictionary["tables"]) == {"notes", "tags"}
    assert dictionary["tables"]["notes"]["overridden_by_queries"] == ["list"]
    # without schema.yaml the tables read from the database are served only through query files
    live = data_dictionary(route_table(app(schema=None)), SCHEMA)
    assert set(live["tables"]) == {"notes"} and live["tables"]["notes"]["operations"] == ["list"]
    assert live["source"] == "database"
