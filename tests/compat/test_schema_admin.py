"""`{base}/_admin/schema/introspect` and `/_admin/schema/generate` (issue 13, item 4): they answer with the app's
admin token and refuse anything else, an app user's token above all; the OpenAPI document describes them."""

from __future__ import annotations

import argparse

import pytest
import yaml

from entrypoints.cli.secrets_cmd import init_secrets
from tests.support.api import AppClient
from tests.support.platform import Platform


def admin_token(platform: Platform) -> str:
    init_secrets(argparse.Namespace(app=["prokov"], admin_token=True), platform.paths)
    return (platform.paths.secrets / "prokov_admin_token").read_text().strip()


def test_both_endpoints_answer_with_the_admin_token(platform: Platform, prokov: AppClient, transport: str) -> None:
    token = admin_token(platform)
    r = prokov.get("_admin/schema/introspect", headers={"X-Admin-Token": token})
    assert r.status_code == 200, r.text
    tables = r.json()["data"]["tables"]
    assert {"users", "projects", "tasks"} <= set(tables) and not any(t.startswith("sogoms_") for t in tables)
    assert tables["tasks"]["fields"]["title"]["type"] == "string"
    g = prokov.post("_admin/schema/generate", headers={"X-Admin-Token": token})
    assert g.status_code == 200, g.text
    generated = yaml.safe_load(g.json()["data"]["schema_yaml"])
    assert generated["tables"]["projects"]["fields"]["user_id"]["filter"] == "owner"
    assert "tasks" in g.json()["data"]["tables"]


def test_an_app_users_token_and_a_wrong_token_are_refused(
    platform: Platform, prokov: AppClient, transport: str
) -> None:
    admin_token(platform)
    user = prokov.token("admin@prokov.test")  # even the app's admin role is an app user
    for headers in (
        {"Authorization": f"Bearer {user}"},
        {"X-Admin-Token": user},
        {"X-Admin-Token": "wrong"},
        {},
    ):
        for method, path in (("GET", "_admin/schema/introspect"), ("POST", "_admin/schema/generate")):
            r = prokov.request(method, path, headers=headers)
            assert r.status_code == 401, (headers, path, r.text)
            assert r.json()["error"]["code"] == "UNAUTHORIZED"
    assert prokov.get("_admin/schema/generate").status_code == 405  # generate is a POST
    assert prokov.get("_admin/schema/nope").status_code == 404


@pytest.mark.parametrize("transport", ["inproc"])
def test_without_an_admin_token_the_endpoints_are_off(platform: Platform, prokov: AppClient, transport: str) -> None:
    r = prokov.get("_admin/schema/introspect", headers={"X-Admin-Token": "anything"})
    assert r.status_code == 403
    assert "sogoms secrets init prokov --admin-token" in r.json()["error"]["message"]


@pytest.mark.parametrize("transport", ["inproc"])
def test_the_openapi_document_describes_them(prokov: AppClient, transport: str) -> None:
    doc = prokov.get("_openapi.json").json()
    assert doc["components"]["securitySchemes"]["adminToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Admin-Token",
        "description": "The app's admin token ({SOGOMS_SECRETS_DIR}/{app}_admin_token), not a user's JWT",
    }
    assert doc["paths"]["/_admin/schema/introspect"]["get"]["security"] == [{"adminToken": []}]
    assert doc["paths"]["/_admin/schema/generate"]["post"]["security"] == [{"adminToken": []}]
