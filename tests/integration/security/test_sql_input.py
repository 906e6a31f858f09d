"""SQL-looking input is data: stored and returned verbatim, never run, never widening a filter."""

from __future__ import annotations

import pytest

PAYLOADS = [
    "'; DROP TABLE tasks; --",
    "' OR '1'='1",
    '" OR ""="',
    "1; SELECT password FROM users",
    "Robert'); DROP TABLE users;--",
    "%' OR 1=1 --",
    "\\'; UPDATE tasks SET user_id = 1; --",
    "' UNION SELECT id, email, password, 1, 1, 1, 1, 1, 1 FROM users --",
    "  Ünïcødé 😀 ' OR 1=1 -- \\N  ",
    "NULL",
]
# every string or text field a prokov user writes, per resource (with the values the others need)
FIELDS = {
    "tasks": ("title", "description"),
    "projects": ("name", "description"),
    "tags": ("name", "color"),
    "statuses": ("name", "color"),
}
REQUIRED = {"tasks": "title", "projects": "name", "tags": "name", "statuses": "name"}
MAX = {"color": 20, "name": 50}


@pytest.mark.parametrize("resource", list(FIELDS))
def test_sql_in_every_text_field_is_stored_verbatim(prokov, resource):
    ana, ben = prokov.token("ana@prokov.test"), prokov.token("ben@prokov.test")
    before = prokov.get(resource, token=ben).json()["data"]
    for payload in PAYLOADS:
        for field in FIELDS[resource]:
            value = payload[: MAX[field]] if field in MAX and resource != "projects" else payload
            body = {REQUIRED[resource]: "plain", field: value}
            r = prokov.post(resource, body, token=ana)
            assert r.status_code == 201, (field, payload, r.text)
            key = r.json()["data"]["id"]
            shown = prokov.get(f"{resource}/{key}", token=ana).json()["data"]
            assert shown[field] == value, (field, payload)
            assert shown.get("user_id", 1) == 1
            patched = prokov.patch(f"{resource}/{key}", {field: value[::-1]}, token=ana)
            assert patched.status_code == 200, patched.text
            assert prokov.get(f"{resource}/{key}", token=ana).json()["data"][field] == value[::-1]
    assert prokov.get(resource, token=ben).json()["data"] == before  # Ben's rows untouched, none added
    assert prokov.post("auth/login", {"email": "ana@prokov.test", "password": "demo1234"}).status_code == 200


def test_sql_in_list_filters_matches_nothing(prokov):
    ana = prokov.token("ana@prokov.test")
    for payload in PAYLOADS:
        r = prokov.get("tasks", token=ana, params={"title": payload, "count": "exact"})
        assert r.status_code == 200, r.text
        assert r.json()["data"] == [] and r.json()["meta"]["total"] == 0
        r = prokov.get("tasks", token=ana, params={"title[like]": payload})
        assert r.status_code == 200, r.text
        assert all(t["title"] != "Buy apple trees" for t in r.json()["data"])  # never Ben's rows


def test_sql_in_sort_and_fields_is_refused_not_run(prokov):
    ana = prokov.token("ana@prokov.test")
    for params in ({"sort": "title; DROP TABLE tasks"}, {"fields": "title, (SELECT password FROM users)"}):
        r = prokov.get("tasks", token=ana, params=params)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "BAD_REQUEST"
    assert len(prokov.get("tasks", token=ana).json()["data"]) == 3


def test_sql_as_login_or_registration_is_data(prokov):
    for payload in PAYLOADS:
        r = prokov.post("auth/login", {"email": payload, "password": payload})
        assert r.status_code == 401, r.text
    for payload in PAYLOADS[:5]:  # under the per-account limit of Ana
        r = prokov.post("auth/login", {"email": "ana@prokov.test", "password": payload})
        assert r.status_code == 401, r.text
    name = "Robert'); DROP TABLE users;--"
    r = prokov.post("auth/register", {"email": "bobby@prokov.test", "name": name, "password": "' OR '1'='1 --"})
    assert r.status_code == 201, r.text
    assert prokov.get("auth/me", token=r.json()["data"]["token"]).json()["data"]["user"]["name"] == name
    assert prokov.post("auth/login", {"email": "bobby@prokov.test", "password": "' OR '1'='1 --"}).status_code == 200
    assert prokov.post("auth/login", {"email": "bobby@prokov.test", "password": "' OR '1'='2 --"}).status_code == 401
