"""The welcome mail through the gateway: sent after sign-up when the app has the template; never failing it."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.support.api import AppClient


def gateway(platform, smtp: str):
    settings = GatewaySettings(transport=Transports(db="inproc", logs="inproc", smtp=smtp))
    return TestClient(create_app(platform.paths, settings), base_url="http://testserver.local")


@pytest.fixture
def smtp_env(monkeypatch, smtpd):
    monkeypatch.setenv("PROKOV_SMTP_PORT", str(smtpd.port))
    monkeypatch.setenv("KOPROGO_SMTP_PORT", str(smtpd.port))


def log_lines(platform, app: str, kind: str) -> str:
    return "".join(p.read_text() for p in platform.paths.logs.glob(f"{app}-*-{kind}.log"))


@pytest.mark.parametrize("backend", ["sqlite"])
def test_inproc_a_new_prokov_user_gets_the_welcome_mail(platform, smtp_env, recorder):
    with gateway(platform, "inproc") as http:
        r = AppClient(http, "prokov.localhost").post(
            "auth/register", {"email": "zoe@prokov.test", "name": "Zoé <Z>", "password": "long enough"}
        )
        assert r.status_code == 201, r.text
        (msg,) = recorder.wait_for(1)
    assert msg["To"] == "zoe@prokov.test"
    assert msg["Subject"] == "Bienvenue Zoé <Z> !"
    assert "Bonjour Zoé <Z>," in msg.get_body(("plain",)).get_content()
    assert "<h1>Bienvenue Zoé &lt;Z&gt; !</h1>" in msg.get_body(("html",)).get_content()
    assert "welcome_mail_queued" in log_lines(platform, "prokov", "events")


@pytest.mark.parametrize("backend", ["sqlite"])
def test_inproc_koprogo_uses_its_own_template_and_fields(platform, smtp_env, recorder):
    with gateway(platform, "inproc") as http:
        r = AppClient(http, "koprogo.localhost").post(
            "auth/register",
            {"email": "marie@jardins.test", "first_name": "Marie", "last_name": "Dupont", "password": "long enough"},
        )
        assert r.status_code == 201, r.text
        (msg,) = recorder.wait_for(1)
    assert msg["Subject"] == "Bienvenue sur KoproGo, Marie"
    assert msg["From"] == "KoproGo <noreply@koprogo.localhost>"
    assert "Bonjour Marie Dupont," in msg.get_body(("plain",)).get_content()


def test_sign_up_succeeds_when_sogoms_smtp_is_down_and_the_failure_is_logged(platform, smtp_env, recorder):
    with gateway(platform, "ipc") as http:  # no sogoms-smtp process is running
        r = AppClient(http, "prokov.localhost").post(
            "auth/register", {"email": "ned@prokov.test", "name": "Ned", "password": "long enough"}
        )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["user"]["email"] == "ned@prokov.test"
    errors = log_lines(platform, "prokov", "errors")
    assert "welcome mail not queued: sogoms-smtp is unavailable" in errors
    assert '"level":"warn"' in errors
    assert recorder.messages == []


@pytest.mark.parametrize("backend", ["sqlite"])
def test_transport_off_sends_nothing(platform, smtp_env, recorder):
    with gateway(platform, "off") as http:
        r = AppClient(http, "prokov.localhost").post(
            "auth/register", {"email": "quiet@prokov.test", "name": "Q", "password": "long enough"}
        )
    assert r.status_code == 201
    assert "welcome" not in log_lines(platform, "prokov", "events") + log_lines(platform, "prokov", "errors")
