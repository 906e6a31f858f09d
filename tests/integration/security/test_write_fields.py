"""A write sets only what its author may set: the caller's id goes into the table's owner column and nowhere else,
server-managed columns (ids, creation times, `readonly` fields) never come from the body, and no write leaves a row
where its author could no longer see it."""

from __future__ import annotations

import pytest

from adapters.sql.database import SqlAlchemyDatabase
from domain.app import DatabaseSettings
from tests.integration.inbound.conftest import mailproc  # noqa: F401 - sogoms-mailproc's use cases
from tests.support.api import AppClient
from tests.support.mail import mail

PLANTED = "2001-02-03T04:05:06Z"


def _row(client: AppClient, resource: str, key: object, token: str) -> dict:
    r = client.get(f"{resource}/{key}", token=token)
    assert r.status_code == 200, r.text
    return dict(r.json()["data"])


def test_a_syndic_creating_an_owner_does_not_become_that_owner(koprogo) -> None:
    syndic = koprogo.token("syndic@jardins.test")
    linked = koprogo.post("owners", {"first_name": "Marc", "last_name": "Linked", "user_id": 4}, token=syndic)
    assert linked.status_code == 201, linked.text
    plain = koprogo.post("owners", {"first_name": "Anne", "last_name": "Unlinked"}, token=syndic)
    assert plain.status_code == 201, plain.text
    admin = koprogo.token("admin@koprogo.com")
    assert _row(koprogo, "owners", linked.json()["data"]["id"], admin)["user_id"] == 4  # the account named
    assert _row(koprogo, "owners", plain.json()["data"]["id"], admin)["user_id"] is None  # not the syndic's (2)
    # the claim-bound column still comes from the token
    assert _row(koprogo, "owners", plain.json()["data"]["id"], admin)["organization_id"] == 1


def test_an_owner_cannot_give_their_record_to_another_account(koprogo) -> None:
    owner = koprogo.token("owner@jardins.test")
    r = koprogo.patch("owners/1", {"phone": "+32 470 11 11 11", "user_id": 1}, token=owner)
    assert r.status_code == 403, r.text
    assert r.json()["error"]["code"] == "FORBIDDEN"
    row = _row(koprogo, "owners", 1, koprogo.token("admin@koprogo.com"))
    assert row["user_id"] == 4 and row["phone"] != "+32 470 11 11 11"
    assert koprogo.get("owners/1", token=owner).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch"])
def test_created_at_and_id_in_a_body_are_ignored_on_create_and_update(prokov, method) -> None:
    ana = prokov.token("ana@prokov.test")
    r = prokov.post("projects", {"name": "Dated", "created_at": PLANTED, "id": 9999}, token=ana)
    assert r.status_code == 201, r.text
    created = r.json()["data"]
    assert created["id"] != 9999 and created["created_at"] != PLANTED and created["created_at"]
    r = getattr(prokov, method)(
        f"projects/{created['id']}", {"name": "Dated again", "created_at": PLANTED, "id": 9998}, token=ana
    )
    assert r.status_code == 200, r.text
    shown = _row(prokov, "projects", created["id"], ana)
    assert (shown["name"], shown["created_at"]) == ("Dated again", created["created_at"])
    assert prokov.get("projects/9998", token=ana).status_code == 404


def test_a_body_of_server_managed_columns_only_changes_nothing(prokov) -> None:
    ana = prokov.token("ana@prokov.test")
    before = _row(prokov, "projects", 1, ana)
    r = prokov.patch("projects/1", {"created_at": PLANTED, "user_id": 2, "id": 5}, token=ana)
    assert r.status_code in (200, 400), r.text
    assert _row(prokov, "projects", 1, ana) == before


def test_the_openapi_document_does_not_offer_server_managed_columns(prokov) -> None:
    schemas = prokov.get("_openapi.json", token=prokov.token("ana@prokov.test")).json()["components"]["schemas"]
    for name in ("ProjectsInput", "ProjectsPatch"):
        assert "name" in schemas[name]["properties"], schemas[name]
        assert not {"created_at", "id", "user_id"} & set(schemas[name]["properties"]), (name, schemas[name])
    assert "created_at" in schemas["Projects"]["properties"]  # still shown


@pytest.fixture
def planted_rule(platform):
    """prokov's mail rule also creates a project from each mail, its values naming server-managed columns."""
    path = platform.paths.config / "apps" / "prokov" / "mailrules.yaml"
    text = path.read_text()
    anchor = "      - reply:\n"
    assert anchor in text
    extra = (
        "      - create:\n"
        "          resource: projects\n"
        "          as: mailed_project\n"
        "          values:\n"
        '            name: "{{ subject[:100] }}"\n'
        f'            created_at: "{PLANTED}"\n'
        '            user_id: "2"\n'
        '            id: "9999"\n'
    )
    path.write_text(text.replace(anchor, extra + anchor, 1))


async def test_a_mail_rule_writes_no_server_managed_column(planted_rule, mailproc) -> None:  # noqa: F811
    result = await mailproc.apply(mail(subject="From a mail"))
    assert result["status"] == "done", result
    rows = await mailproc.rows(
        "SELECT p.id, p.created_at, u.email FROM projects p JOIN users u ON u.id = p.user_id WHERE p.name = 'From a mail'"
    )
    assert len(rows) == 1, rows
    assert rows[0]["email"] == "ana@prokov.test" and rows[0]["id"] != 9999
    assert not str(rows[0]["created_at"]).startswith("2001"), rows


@pytest.fixture
def query_file_writes(platform):
    """Query files (queries/*.yaml) taking over the writes of koprogo's owners and prokov's projects."""
    koprogo = platform.paths.config / "apps" / "koprogo" / "queries" / "owners.yaml"
    koprogo.write_text(
        "show:\n  query: SELECT id, organization_id, user_id, first_name, last_name FROM owners\n"
        '  filters: {default: "organization_id = :organization_id", owner: "user_id = :user_id", superadmin: ""}\n'
        "create: {table: owners, fields: [organization_id, user_id, first_name, last_name]}\n"
    )
    prokov = platform.paths.config / "apps" / "prokov" / "queries" / "projects.yaml"
    prokov.write_text(
        "show:\n  query: SELECT id, user_id, name, created_at FROM projects\n"
        '  filters: {default: "user_id = :user_id", admin: ""}\n'
        "create: {table: projects, fields: [user_id, name, created_at]}\n"
        "update:\n  table: projects\n  fields: [user_id, name, created_at]\n"
        '  filters: {default: "user_id = :user_id"}\n'
    )


def test_query_file_writes_follow_the_schema_owner_column_and_managed_columns(query_file_writes, koprogo, prokov):
    syndic = koprogo.token("syndic@jardins.test")
    r = koprogo.post(
        "owners", {"first_name": "Q", "last_name": "File", "user_id": 4, "organization_id": 2}, token=syndic
    )
    assert r.status_code == 201, r.text
    row = _row(koprogo, "owners", r.json()["data"]["id"], koprogo.token("admin@koprogo.com"))
    assert (row["user_id"], row["organization_id"]) == (4, 1)  # the account named; the token's organization

    ana = prokov.token("ana@prokov.test")
    r = prokov.post("projects", {"name": "Q", "user_id": 2, "created_at": PLANTED}, token=ana)
    assert r.status_code == 201, r.text
    key = r.json()["data"]["id"]
    row = _row(prokov, "projects", key, ana)
    assert row["user_id"] == 1 and not str(row["created_at"]).startswith("2001"), row
    r = prokov.patch(f"projects/{key}", {"name": "Q2", "user_id": 2, "created_at": PLANTED}, token=ana)
    assert r.status_code == 200, r.text
    again = _row(prokov, "projects", key, ana)
    assert (again["name"], again["user_id"], again["created_at"]) == ("Q2", 1, row["created_at"])


async def test_sign_up_sets_no_server_managed_column(platform, prokov) -> None:
    body = {"email": "dated@prokov.test", "name": "Dated", "password": "a long password", "created_at": PLANTED}
    r = prokov.post("auth/register", body)
    assert r.status_code == 201, r.text
    db = SqlAlchemyDatabase(platform.paths.secrets, {"prokov": DatabaseSettings(url=platform.urls["prokov"])})
    try:
        row = await db.query_one("prokov", "SELECT created_at FROM users WHERE email = 'dated@prokov.test'", {})
    finally:
        await db.close()
    assert row is not None and not str(row["created_at"]).startswith("2001"), row
