"""`/api/_openapi.json`, `/api/_docs` and `/api/_schema` of each demo app, checked against what the gateway serves."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

APPS = {
    # app: (a user, the tables with CRUD routes, tables without any)
    "prokov": ("ana@prokov.test", {"projects", "statuses", "tags", "tasks"}, {"users"}),
    "koprogo": ("syndic@jardins.test", {"organizations", "buildings", "owners", "units", "expenses"}, {"users"}),
}
CRUD_ROUTES = {("", "get"), ("", "post"), ("/{id}", "get"), ("/{id}", "put"), ("/{id}", "patch"), ("/{id}", "delete")}
AUTH_ROUTES = {
    ("/auth/register", "post"),
    ("/auth/login", "post"),
    ("/auth/refresh", "post"),
    ("/auth/logout", "post"),
    ("/auth/me", "get"),
}
META_ROUTES = {("/_schema", "get"), ("/_schema/{table}", "get"), ("/_openapi.json", "get"), ("/_docs", "get")}
META_ROUTES |= {("/_admin/schema/introspect", "get"), ("/_admin/schema/generate", "post")}  # the admin token's
ROUTE_UNKNOWN = ("No route", "Unknown resource", "Unknown table")


@pytest.fixture(params=sorted(APPS))
def app_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(app_name, http):
    from tests.support.api import AppClient

    return AppClient(http, f"{app_name}.localhost")


def listed(document: dict) -> set[tuple[str, str]]:
    return {(path, method) for path, item in document["paths"].items() for method in item}


def test_the_document_is_valid_openapi_3_1(client):
    r = client.get("_openapi.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    document = r.json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["servers"] == [{"url": "/api"}]


def test_the_document_lists_exactly_the_routes_of_the_schema_and_query_files(client, app_name):
    document = client.get("_openapi.json").json()
    _user, tables, _hidden = APPS[app_name]
    expected = AUTH_ROUTES | META_ROUTES
    expected |= {(f"/{t}{suffix}", method) for t in tables for suffix, method in CRUD_ROUTES}
    assert listed(document) == expected


def test_every_listed_route_answers_and_unlisted_ones_do_not(client, app_name):
    user, _tables, no_routes = APPS[app_name]
    token = client.token(user)
    document = client.get("_openapi.json").json()
    for path, method in sorted(listed(document)):
        if path == "/auth/logout":
            continue  # it would revoke the token used for the other calls; the auth suites cover it
        url = "/api" + path.replace("{id}", "999999").replace("{table}", sorted(APPS[app_name][1])[0])
        body: dict[str, Any] | None = {} if method in ("post", "put", "patch") else None
        r = client.request(method.upper(), url, token, json=body)
        assert r.status_code != 405, f"{method.upper()} {path}: {r.text}"
        if r.status_code == 404:
            message = r.json()["error"]["message"]
            assert not message.startswith(ROUTE_UNKNOWN), f"{method.upper()} {path} is listed but not served"
    for table in no_routes:
        for method, url in (("GET", f"{table}"), ("POST", f"{table}"), ("GET", f"{table}/1")):
            r = client.request(method, url, token, json={} if method == "POST" else None)
            assert r.status_code == 404 and r.json()["error"]["code"] == "NOT_FOUND", (method, url, r.text)
    assert client.get("no_such_table", token).status_code == 404


def test_docs_page_is_served(client, app_name):
    r = client.get("_docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "<html" in page.lower()
    assert app_name in page
    assert "/projects" in page if app_name == "prokov" else "/buildings" in page


def test_data_dictionary_needs_a_token_and_describes_the_exposed_tables(client, app_name):
    user, tables, no_routes = APPS[app_name]
    assert client.get("_schema").status_code == 401
    token = client.token(user)
    r = client.get("_schema", token)
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["app"] == app_name
    assert set(data["tables"]) == tables
    assert not (set(data["tables"]) & no_routes)
    one = client.get(f"_schema/{sorted(tables)[0]}", token)
    assert one.status_code == 200
    assert one.json()["data"] == data["tables"][sorted(tables)[0]]
    missing = client.get("_schema/no_such_table", token)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "NOT_FOUND"
    hidden_table = client.get("_schema/users", token)
    assert hidden_table.status_code == 404


def test_prokov_dictionary_fields_and_relations(prokov):
    token = prokov.token("ana@prokov.test")
    tasks = prokov.get("_schema/tasks", token).json()["data"]
    assert tasks["primary_key"] == "id"
    assert tasks["owner_field"] == "user_id"
    assert tasks["overridden_by_queries"] == ["list"]
    assert tasks["fields"]["title"] == {"type": "string", "required": True, "nullable": False, "max_length": 200}
    assert tasks["fields"]["project_id"]["foreign"] == "projects.id"
    assert tasks["relations"]["project"] == {"kind": "one", "table": "projects", "local": "project_id", "remote": "id"}
    projects = prokov.get("_schema/projects", token).json()["data"]
    assert projects["relations"]["tasks"]["kind"] == "many"


@pytest.fixture
def hidden_description(platform):
    """prokov with `projects.description` marked hidden (the demo apps hide only the password of users)."""
    path = platform.paths.config / "apps" / "prokov" / "schema.yaml"
    text = path.read_text()
    assert "      description: {type: text}\n      position" in text
    path.write_text(
        text.replace(
            "description: {type: text}\n      position", "description: {type: text, hidden: true}\n      position", 1
        )
    )


def test_hidden_fields_are_left_out_of_the_dictionary_and_the_document(hidden_description, prokov):
    token = prokov.token("ana@prokov.test")
    projects = prokov.get("_schema/projects", token).json()["data"]
    assert "description" not in projects["fields"]
    assert "name" in projects["fields"]
    document = prokov.get("_openapi.json").json()
    assert "description" not in document["components"]["schemas"]["Projects"]["properties"]
    params = {p.get("name") for p in document["paths"]["/projects"]["get"]["parameters"]}
    assert "name" in params and "description" not in params and "description[like]" not in params
    validate(document)
