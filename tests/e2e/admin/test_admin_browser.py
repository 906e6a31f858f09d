"""The admin UI in real headless Chromium: sign in and out, refusals, app creation served by the gateway, scan,
a refused query edit, a job triggered on the real sogoms-cron, the services panel refreshed by htmx under a strict CSP."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from .conftest import Stack, shot, sign_in

pytestmark = pytest.mark.slow


def test_sign_in_dashboard_services_and_sign_out(page, stack: Stack) -> None:
    page.goto(stack.url("/"))
    assert page.url.endswith("/login")
    shot(page, "admin-login")
    sign_in(page, stack, "boss")
    page.wait_for_selector("[data-testid=apps]")
    assert page.inner_text("[data-testid=who]").startswith("boss")
    # the services panel is filled by htmx from sogoctl's status
    page.wait_for_selector("[data-testid=services] >> text=sogoway")
    assert "RUNNING" in page.inner_text("[data-testid=services]")
    config = page.evaluate("[htmx.config.allowEval, htmx.config.allowScriptTags, htmx.config.selfRequestsOnly]")
    assert config == [False, False, True]  # read from the page's <meta name="htmx-config">
    shot(page, "admin-dashboard")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/login")
    page.goto(stack.url("/"))
    assert page.url.endswith("/login")
    assert page.console_errors == []  # nothing refused by the CSP, no script error


def test_wrong_password(page, stack: Stack) -> None:
    sign_in(page, stack, "boss", "not-the-password")
    assert page.inner_text("[data-testid=login-error]") == "Invalid username or password"
    assert page.url.endswith("/login")


def test_rate_limit_after_five_failures(page, stack: Stack) -> None:
    for _ in range(5):
        sign_in(page, stack, "boss", "wrong-password")
    sign_in(page, stack, "boss")  # the right password, too late
    assert "Too many failed sign-ins" in page.inner_text("[data-testid=login-error]")
    assert page.url.endswith("/login")


def test_app_admin_sees_only_its_apps_and_is_refused_another(page, stack: Stack) -> None:
    sign_in(page, stack, "ann")
    apps = page.inner_text("[data-testid=apps]")
    assert "prokov" in apps and "koprogo" not in apps
    response = page.goto(stack.url("/apps/koprogo"))
    assert response.status == 403
    assert "lacks the 'schema:read' permission" in page.inner_text("[data-testid=error-message]")
    # an action on another app, posted with a valid session and token, is refused by the server too
    page.goto(stack.url("/apps/prokov/files/queries/tasks"))
    target = stack.urls.app("koprogo", "files", "queries", "expenses")
    page.eval_on_selector("[data-testid=editor]", f"f => f.action = '{target}'")
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=error-message]")
    assert "koprogo" in page.inner_text("[data-testid=error-message]")
    assert "expenses" in (stack.platform.paths.config / "apps" / "koprogo" / "queries" / "expenses.yaml").read_text()


def test_create_an_app_scan_its_database_and_call_its_api(page, stack: Stack) -> None:
    data = stack.platform.paths.data
    with sqlite3.connect(data / "notes.db") as conn:
        conn.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email VARCHAR(255) NOT NULL UNIQUE, "
            "password VARCHAR(255) NOT NULL, name VARCHAR(100), role VARCHAR(20) NOT NULL DEFAULT 'user');"
            "CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users(id), "
            "body TEXT);"
        )
    sign_in(page, stack, "boss")
    page.goto(stack.url("/apps/new"))
    page.fill("input[name=name]", "notes")
    page.fill("textarea[name=hosts]", "notes.localhost")
    page.check("input[name=db_kind][value=sqlite]")
    assert page.is_hidden("fieldset[data-db=mariadb]")
    page.fill("input[name=sqlite_file]", "notes.db")
    shot(page, "admin-create-app")
    gateway = f"http://127.0.0.1:{stack.gateway_port}/api"
    host = {"Host": "notes.localhost"}
    assert httpx.get(f"{gateway}/_schema", headers=host).json()["error"]["code"] == "UNKNOWN_APP"
    page.click("[data-testid=create]")
    page.wait_for_selector("[data-testid=created]")
    assert page.is_visible("[data-testid=reloaded]")  # sogoctl said the gateway was reloaded

    with httpx.Client(timeout=10) as http:
        # the gateway, reloaded through sogoctl, now serves the new host (it asks for a token: the app is there)
        r = _eventually(lambda: http.get(f"{gateway}/_schema", headers=host), 401)
        assert r.json()["error"]["code"] == "UNAUTHORIZED"

        page.goto(stack.url("/apps/notes"))
        assert "no schema.yaml yet" in page.inner_text("[data-testid=sync]")
        page.click("[data-testid=scan]")
        page.wait_for_selector("[data-testid=scan-result]")
        # the tables match; what is left is the index the owner's list needs (`sogoms schema migrate` creates it)
        assert "not in sync" in page.inner_text("[data-testid=sync]")
        assert page.inner_text("[data-testid=sync-changes]").strip() == "add index notes (user_id, id): list"
        assert "notes: list: no index on (user_id, id)" in page.inner_text("[data-testid=index-warnings]")
        assert "/api/notes" in page.inner_text("[data-testid=routes]")
        shot(page, "admin-app-detail")

        account = {"email": "zoe@notes.test", "password": "zoe-password-1", "name": "Zoe"}
        r = _eventually(lambda: http.post(f"{gateway}/auth/register", json=account, headers=host), 201)
        token = r.json()["data"]["token"]
        auth = {**host, "Authorization": f"Bearer {token}"}
        assert http.post(f"{gateway}/notes", json={"body": "hello"}, headers=auth).status_code == 201
        listed = http.get(f"{gateway}/notes", headers=auth).json()
        assert [n["body"] for n in listed["data"]] == ["hello"]
        assert "notes" in http.get(f"{gateway}/_schema", headers=auth).json()["data"]["tables"]


def test_scan_brings_a_changed_database_back_in_sync(page, stack: Stack) -> None:
    with sqlite3.connect(stack.platform.urls["prokov"].split(":///", 1)[1]) as conn:
        conn.execute("ALTER TABLE projects ADD COLUMN budget INTEGER")
    sign_in(page, stack, "boss")
    page.goto(stack.url("/apps/prokov"))
    assert "budget" in page.inner_text("[data-testid=sync-changes]")
    page.click("[data-testid=scan]")
    page.wait_for_selector("[data-testid=scan-result]")
    assert "✔ schema.yaml is in sync" in page.inner_text("[data-testid=sync]")
    assert "budget" in (stack.platform.paths.config / "apps" / "prokov" / "schema.yaml").read_text()


def test_a_query_with_an_error_is_refused(page, stack: Stack) -> None:
    path = stack.platform.paths.config / "apps" / "prokov" / "queries" / "tasks.yaml"
    before = path.read_text()
    sign_in(page, stack, "ann")
    page.goto(stack.url("/apps/prokov/files/queries/tasks"))
    page.fill("[data-testid=file-text]", before.replace("list:", "lsit:", 1))
    page.click("[data-testid=save]")
    error = page.inner_text("[data-testid=file-error]")
    assert "Refused, nothing was changed" in error and "lsit" in error
    assert path.read_text() == before
    shot(page, "admin-query-refused")


def test_trigger_a_cron_job_and_see_it_in_the_history(page, stack: Stack) -> None:
    sign_in(page, stack, "boss")
    page.goto(stack.url("/apps/prokov/cron"))
    assert "tasks_today" in page.inner_text("[data-testid=jobs]")  # sogoms-cron lists the app's jobs
    page.click("[data-testid=trigger-ping_gateway]")  # an http job calling the gateway's /health
    page.wait_for_selector("[data-testid=triggered]")
    assert "success" in page.inner_text("[data-testid=triggered]")
    history = page.inner_text("[data-testid=history]")
    assert "ping_gateway" in history and "manual" in history
    shot(page, "admin-cron")


def test_log_viewer_shows_the_audit_trail(page, stack: Stack) -> None:
    sign_in(page, stack, "boss")
    page.goto(stack.url("/apps/prokov/files/queries/tasks"))
    page.click("[data-testid=save]")  # saving the file as it is: a valid edit, audited in prokov's log
    page.wait_for_selector("[data-testid=file-saved]")
    page.goto(stack.url("/apps/prokov/logs?type=audit"))
    lines = page.inner_text("[data-testid=log-lines]")
    assert "admin.edit_queries" in lines and "boss" in lines
    shot(page, "admin-logs")
    page.goto(stack.url("/apps/_admin/logs?q=login"))
    assert "admin.login" in page.inner_text("[data-testid=log-lines]")


def _eventually(call, status: int, tries: int = 50):
    """The gateway reloads on SIGHUP in the background: retry a bounded number of times until it answers."""
    import time

    for _ in range(tries):
        r = call()
        if r.status_code == status:
            return r
        time.sleep(0.1)
    raise AssertionError(f"expected {status}, last answer {r.status_code}: {r.text[:300]}")
