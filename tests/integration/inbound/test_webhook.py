"""A rule's webhook: a signed JSON POST, retried on 5xx, the same delivery id each time; internal addresses refused."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from adapters.config.apps import YamlAppRepository
from adapters.config.inbound_apps import load_inbound
from tests.support.mail import mail
from tests.support.platform import Platform

from .conftest import Mailproc

SECRET = b"webhook-secret-of-at-least-some-length"


class Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []
    fail_first = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hook.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        status = 503 if Hook.fail_first > 0 else 200
        Hook.fail_first -= 1
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def hook() -> Iterator[str]:
    Hook.received, Hook.fail_first = [], 0
    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/mail"
    finally:
        server.shutdown()


def with_webhook(platform: Platform, mailproc: Mailproc, url: str, allow_private: bool) -> None:
    (platform.paths.secrets / "prokov_hook").write_bytes(SECRET)
    path = platform.paths.config / "apps" / "prokov" / "mailrules.yaml"
    text = path.read_text().replace(
        "      - mark_read: true",
        f'      - webhook: {{url: "{url}", secret_file: prokov_hook, allow_private: {str(allow_private).lower()}, retries: 2}}\n'
        "      - mark_read: true",
    )
    path.write_text(text)
    mailproc.container.apps().use(
        load_inbound(YamlAppRepository(platform.paths.config, platform.paths.secrets), platform.paths.secrets)
    )


async def test_the_webhook_is_signed_and_retried_with_one_delivery_id(
    platform: Platform, mailproc: Mailproc, hook: str
) -> None:
    with_webhook(platform, mailproc, hook, allow_private=True)
    Hook.fail_first = 1
    result = await mailproc.apply(mail(subject="Hooked"))
    assert result["status"] == "done", result
    assert len(Hook.received) == 2
    (h1, b1), (h2, b2) = Hook.received
    assert h1["x-sogoms-delivery"] == h2["x-sogoms-delivery"] and b1 == b2
    assert h2["x-sogoms-signature"] == "sha256=" + hmac.new(SECRET, b2, hashlib.sha256).hexdigest()
    payload = json.loads(b2)
    assert payload["app"] == "prokov" and payload["message"]["subject"] == "Hooked"
    assert payload["task"]["title"] == "Hooked" and payload["user"]["email"] == "ana@prokov.test"


async def test_an_internal_address_is_refused_unless_allowed(platform: Platform, mailproc: Mailproc, hook: str) -> None:
    with_webhook(platform, mailproc, hook, allow_private=False)
    raw = mail(subject="Not to loopback")
    result = await mailproc.apply(raw)
    assert result["status"] == "retry" and "internal address" in result["error"]
    assert Hook.received == []
    # the task was created before the webhook step: a retry resumes at the webhook, it does not create it again
    rows = await mailproc.rows("SELECT id FROM tasks WHERE title = 'Not to loopback'")
    assert len(rows) == 1
    # allowed now, and due: the rule resumes at the webhook step
    path = platform.paths.config / "apps" / "prokov" / "mailrules.yaml"
    path.write_text(path.read_text().replace("allow_private: false", "allow_private: true"))
    mailproc.container.apps().use(
        load_inbound(YamlAppRepository(platform.paths.config, platform.paths.secrets), platform.paths.secrets)
    )
    await mailproc.database.update("prokov", "UPDATE sogoms_mail_messages SET next_attempt_at = 0", {})
    assert (await mailproc.apply(raw))["status"] == "done"
    assert len(await mailproc.rows("SELECT id FROM tasks WHERE title = 'Not to loopback'")) == 1
    assert len(Hook.received) == 1 and len(mailproc.mailer.calls) == 1
