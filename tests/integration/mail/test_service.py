"""`sogoms-smtp` as a real process, called over its socket through IpcMailer, delivering to a real SMTP server."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from adapters.ipc.client import IpcClient
from adapters.ipc.mail import IpcMailer
from application.mail.ports import Recipient
from domain.errors import BadRequest, InvalidInput, NotFound
from tests.support.processes import start, stop, wait_for_socket

FAST = ["--poll", "0.1s", "--retry-base", "0.1s", "--retry-max", "0.5s", "--log-level", "INFO"]


class SmtpService:
    def __init__(self, platform, smtp_port: int, *args: str) -> None:
        self.platform = platform
        self.env = {**platform.env, "PROKOV_SMTP_PORT": str(smtp_port), "KOPROGO_SMTP_PORT": str(smtp_port)}
        self.args = [*FAST, *args]
        self.log = platform.paths.logs / "sogoms-smtp.out"
        self.socket = platform.paths.socket("smtp")
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> SmtpService:
        self.proc = start("sogoms-smtp", *self.args, env=self.env, log=self.log)
        wait_for_socket(self.socket, proc=self.proc)
        return self

    def stop(self) -> int | None:
        return stop(self.proc) if self.proc is not None else None

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def mailer(self) -> IpcMailer:
        return IpcMailer(IpcClient(self.socket, service="sogoms-smtp", timeout=10))


@pytest.fixture
def service(platform, smtpd):
    svc = SmtpService(platform, smtpd.port).start()
    try:
        yield svc
    finally:
        svc.stop()


async def eventually(check, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


async def test_send_is_queued_then_delivered_with_its_message_id(service, recorder):
    mailer = service.mailer()
    try:
        queued = await mailer.send("prokov", "Ana <ana@prokov.test>", "Hello", "Plain body", "<p>HTML body</p>")
        assert queued.status == "queued"
        assert queued.message_id.endswith("@prokov.sogoms>")
        (msg,) = await asyncio.to_thread(recorder.wait_for, 1)
        assert msg["Message-ID"] == queued.message_id
        assert msg["From"] == "Prokov <noreply@prokov.localhost>"

        async def sent():
            return (await mailer.status("prokov", queued.message_id)).status == "sent"

        assert await eventually(sent)
        health = await mailer.health()
        assert health["ok"] is True
        assert health["apps"]["prokov"]["outbox"]["sent"] == 1
        assert health["apps"]["prokov"]["templates"] == ["mail_refused", "task_created", "tasks_today", "welcome"]
    finally:
        await mailer.close()


async def test_templates_and_bulk_over_ipc_escape_hostile_data(service, recorder):
    mailer = service.mailer()
    try:
        await mailer.send_template(
            "prokov", "welcome", "eve@prokov.test", {"name": "<b>Eve</b>", "email": "eve@prokov.test"}
        )
        result = await mailer.send_bulk(
            "prokov",
            [
                Recipient(
                    "ana@prokov.test",
                    {
                        "user_name": "Ana",
                        "email": "ana@prokov.test",
                        "tasks": [{"title": "Roof", "project_name": "Home", "status_name": "todo"}],
                    },
                ),
                Recipient("ben@prokov.test", {"user_name": "Ben", "email": "ben@prokov.test", "tasks": []}),
            ],
            template="tasks_today",
        )
        assert result.queued == 2 and len(result.message_ids) == 2
        messages = await asyncio.to_thread(recorder.wait_for, 3)
    finally:
        await mailer.close()
    welcome = next(m for m in messages if str(m["To"]) == "eve@prokov.test")
    assert welcome["Subject"] == "Bienvenue <b>Eve</b> !"
    assert "&lt;b&gt;Eve&lt;/b&gt;" in welcome.get_body(("html",)).get_content()
    digest = next(m for m in messages if str(m["To"]) == "ana@prokov.test")
    assert "- Roof (Home) [todo]" in digest.get_body(("plain",)).get_content()


async def test_bad_requests_get_clear_errors_and_the_service_keeps_going(service, recorder):
    mailer = service.mailer()
    client = IpcClient(service.socket, service="sogoms-smtp")
    try:
        with pytest.raises(InvalidInput) as err:
            await mailer.send("prokov", "ana@prokov.test", "Hi\r\nBcc: all@evil.test", "body")
        assert err.value.code == "VALIDATION_ERROR"
        assert [e.field for e in err.value.field_errors] == ["subject"]
        with pytest.raises(InvalidInput) as err:
            await mailer.send_template("prokov", "welcome", "ana@prokov.test", {"email": "x"})
        assert [e.field for e in err.value.field_errors] == ["data.name"]
        with pytest.raises(NotFound):
            await mailer.send("nowhere", "a@b.test", "s", "b")
        with pytest.raises(NotFound, match="no email template"):
            await mailer.send_template("koprogo", "tasks_today", "a@b.test", {})
        with pytest.raises(BadRequest, match="send_bulk"):
            await client.call("send_bulk", {"app_id": "prokov", "recipients": "everyone"})
        with pytest.raises(BadRequest):
            await client.call("send", {"app_id": "prokov"})
        with pytest.raises(Exception, match="unknown action"):
            await client.call("explode", {})
        queued = await mailer.send("prokov", "ana@prokov.test", "Still here", "body")
        assert (await asyncio.to_thread(recorder.wait_for, 1))[0]["Message-ID"] == queued.message_id
    finally:
        await mailer.close()
        await client.close()


async def test_sighup_reloads_templates_and_refuses_a_broken_one(service, platform, recorder):
    welcome = Path(platform.paths.config) / "apps" / "prokov" / "emails" / "welcome.yaml"
    original = welcome.read_text()
    mailer = service.mailer()
    try:
        welcome.write_text('subject: "Hi {{ name }"\nbody: x\n')
        os.kill(service.proc.pid, signal.SIGHUP)
        assert await eventually(lambda: asyncio.sleep(0, "reload refused" in service.output()))
        assert f"{welcome}: line 1" in service.output()
        await mailer.send_template("prokov", "welcome", "a@prokov.test", {"name": "Ana", "email": "a@prokov.test"})
        welcome.write_text(original.replace("Bienvenue {{ name }} !", "Hello again {{ name }}"))
        os.kill(service.proc.pid, signal.SIGHUP)
        assert await eventually(lambda: asyncio.sleep(0, "templates reloaded" in service.output()))
        await mailer.send_template("prokov", "welcome", "b@prokov.test", {"name": "Ben", "email": "b@prokov.test"})
        messages = await asyncio.to_thread(recorder.wait_for, 2)
    finally:
        await mailer.close()
    subjects = {str(m["To"]): str(m["Subject"]) for m in messages}
    assert subjects == {"a@prokov.test": "Bienvenue Ana !", "b@prokov.test": "Hello again Ben"}


async def test_mail_queued_during_an_outage_survives_a_restart_of_the_service(service, smtpd, recorder):
    smtpd.stop()
    mailer = service.mailer()
    try:
        queued = await mailer.send("koprogo", "syndic@jardins.test", "Convocation", "AG le 12")
        await asyncio.sleep(0.3)
    finally:
        await mailer.close()
    assert service.stop() == 0  # SIGTERM: drained and exited cleanly
    smtpd.start()
    service.start()
    (msg,) = await asyncio.to_thread(recorder.wait_for, 1)
    assert msg["Message-ID"] == queued.message_id


async def test_through_sogoms_db_and_sogoms_logs(platform, services, smtpd, recorder):
    svc = SmtpService(platform, smtpd.port, "--db", "ipc", "--logs", "ipc").start()
    mailer = svc.mailer()
    try:
        queued = await mailer.send("prokov", "ana@prokov.test", "Via sogoms-db", "body")
        (msg,) = await asyncio.to_thread(recorder.wait_for, 1)
        assert msg["Message-ID"] == queued.message_id
    finally:
        await mailer.close()
        svc.stop()
    sent_log = list(platform.paths.logs.glob("prokov-*-mail.log"))
    assert sent_log and queued.message_id in sent_log[0].read_text()


def test_a_bad_option_or_config_stops_the_service_with_the_reason(platform):
    import subprocess

    from tests.support.processes import BIN

    out = subprocess.run(
        [str(BIN / "sogoms-smtp"), "--retry-base", "soon"], env=platform.env, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 2
    assert "soon" in out.stderr
    broken = Path(platform.paths.config) / "apps" / "koprogo" / "emails" / "welcome.yaml"
    broken.write_text("subject: Hi\nbody: |\n  {% if %}\n")
    out = subprocess.run([str(BIN / "sogoms-smtp")], env=platform.env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert f"{broken}: line 3" in out.stderr
