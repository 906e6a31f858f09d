"""Steps of features/mail/: the gateway, a real sogoms-smtp process and the mail catcher (aiosmtpd)."""

from __future__ import annotations

import time
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

import pytest
from litestar.testing import TestClient
from pytest_bdd import given, parsers, scenarios, then, when

from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.support.api import AppClient
from tests.support.processes import free_port, start, stop, wait_for_port, wait_for_socket

scenarios("mail/welcome.feature")
# requested here rather than from a step, so the `backend` parameters (SQLite, MariaDB) apply to every scenario
pytestmark = pytest.mark.usefixtures("mail_platform")


def read_mail(folder: Path, to: str, timeout: float = 20.0) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*.eml")):
            msg = BytesParser(policy=default).parsebytes(path.read_bytes())
            if str(msg["To"]) == to:
                return msg
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to} reached the mail catcher in {folder}")


@pytest.fixture
def mail_platform(platform, monkeypatch):
    """The mail catcher and sogoms-smtp as processes on this platform; the gateway calls sogoms-smtp over IPC."""
    port = free_port()
    monkeypatch.setenv("PROKOV_SMTP_PORT", str(port))
    env = {**platform.env, "PROKOV_SMTP_PORT": str(port)}
    logs = platform.paths.logs
    catcher = start("sogoms", "mailcatcher", "--port", str(port), env=env, log=logs / "mailcatcher.out")
    smtp = None
    try:
        wait_for_port(port, proc=catcher)
        smtp = start("sogoms-smtp", "--poll", "0.2s", env=env, log=logs / "sogoms-smtp.out")
        wait_for_socket(platform.paths.socket("smtp"), proc=smtp)
        settings = GatewaySettings(transport=Transports(db="inproc", logs="inproc", smtp="ipc"))
        with TestClient(create_app(platform.paths, settings), base_url="http://testserver.local") as http:
            yield {"http": http, "mailbox": logs / "mail"}
    finally:
        if smtp is not None:
            stop(smtp)
        stop(catcher)


@given(parsers.parse('the app "{app}" sends its mail to the mail catcher through sogoms-smtp'), target_fixture="world")
def world(mail_platform, app):
    return {**mail_platform, "app": AppClient(mail_platform["http"], f"{app}.localhost")}


@when(parsers.parse('"{name}" registers on "{app}" with the email "{email}"'))
def register(world, name, app, email):
    world["response"] = world["app"].post(
        "auth/register", {"email": email, "name": name, "password": "a long password"}
    )


@then("the registration succeeds")
def registered(world):
    assert world["response"].status_code == 201, world["response"].text


@then(parsers.parse('"{to}" receives a mail titled "{subject}"'))
def receives(world, to, subject):
    world["mail"] = read_mail(world["mailbox"], to)
    assert world["mail"]["Subject"] == subject


@then(parsers.parse('that mail says "{text}"'))
def mail_says(world, text):
    assert text in world["mail"].get_body(("plain",)).get_content()
