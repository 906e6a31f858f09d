"""prokov end to end over real sockets and a real Dovecot: mail in, a task through the rules, a reply out."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.crypt import opened
from tests.support.mail import mail

from .conftest import MAILBOX, Inbound, eventually


def test_mail_from_ana_becomes_her_task_and_she_gets_a_reply(inbound: Inbound) -> None:
    inbound.deliver(mail(subject="Fix the gutter", body="Before the rain on Friday."))
    rows = eventually(
        lambda: inbound.query(
            "SELECT t.id, t.title, t.description, u.email FROM tasks t JOIN users u ON u.id = t.user_id WHERE t.title = 'Fix the gutter'"
        )
    )
    assert [r["email"] for r in rows] == ["ana@prokov.test"]
    assert "Before the rain" not in str(rows[0]["description"])  # encrypted at rest (prokov's schema.yaml)
    paths = inbound.platform.paths
    asyncio.run(opened(paths.config, paths.secrets, "prokov", "tasks", rows))
    assert "Before the rain on Friday." in rows[0]["description"]
    (reply,) = inbound.smtp.wait_for(1)
    assert reply["To"] == "ana@prokov.test"
    assert reply["Subject"] == "Task created: Fix the gutter"
    plain = reply.get_body(("plain",))
    assert plain is not None and f"/api/tasks/{rows[0]['id']}" in plain.get_content()
    # the message is marked read and remembered; the admin sees its outcome
    eventually(lambda: inbound.dovecot.uids(MAILBOX, criteria="SEEN"))
    messages = inbound.call("mailproc", "messages", {"app_id": "prokov"})["messages"]
    assert messages[0]["status"] == "done" and messages[0]["rule"] == "task_from_mail"


def test_an_unknown_sender_gets_a_polite_refusal_and_no_task(inbound: Inbound) -> None:
    inbound.deliver(mail(sender="someone@elsewhere.test", subject="Buy my product", dkim="elsewhere.test"))
    (reply,) = inbound.smtp.wait_for(1)
    assert reply["To"] == "someone@elsewhere.test"
    plain = reply.get_body(("plain",))
    assert plain is not None and "could not create anything" in plain.get_content()
    assert inbound.query("SELECT id FROM tasks WHERE title = 'Buy my product'") == []


def test_every_imap_action_answers_over_the_socket(inbound: Inbound) -> None:
    inbound.call("imap", "health")
    inbound.deliver(mail(sender="nobody@elsewhere.test", subject="Listed", dkim=None))
    listed = eventually(lambda: inbound.call("imap", "list", {"app_id": "prokov", "mailbox": "tasks"})["messages"])
    uid = listed[0]["uid"]
    fetched = inbound.call("imap", "fetch", {"app_id": "prokov", "uid": uid})
    assert fetched["subject"] == "Listed" and fetched["from"] == "nobody@elsewhere.test"
    assert "INBOX" in inbound.call("imap", "folders", {"app_id": "prokov"})["folders"]
    inbound.call("imap", "mark_read", {"app_id": "prokov", "uid": uid})
    inbound.call("imap", "move", {"app_id": "prokov", "uid": uid, "to": "Archive"})
    assert inbound.dovecot.uids(MAILBOX, "Archive")
    archived = inbound.dovecot.uids(MAILBOX, "Archive")[0]
    inbound.call("imap", "delete", {"app_id": "prokov", "uid": archived, "folder": "Archive"})
    assert inbound.dovecot.uids(MAILBOX, "Archive") == []
    assert inbound.call("imap", "poll", {"app_id": "prokov"})["woken"] == 1


def test_every_mailproc_action_answers_over_the_socket(inbound: Inbound) -> None:
    import base64

    from tests.support.ipc import IpcError

    raw = base64.b64encode(mail(subject="Parsed", body="Hello")).decode()
    parsed = inbound.call("mailproc", "parse", {"raw": raw})
    assert parsed["subject"] == "Parsed" and parsed["text"].strip() == "Hello"
    assert inbound.call("mailproc", "health")["ok"] is True
    ben = inbound.query("SELECT id FROM users WHERE email = 'ben@prokov.test'")[0]["id"]
    address = inbound.call("mailproc", "address", {"app_id": "prokov", "user_id": str(ben), "mailbox": "tasks"})
    assert address["address"].startswith(f"tasks+{ben}.")
    applied = inbound.call("mailproc", "apply_rules", {"app_id": "prokov", "raw": raw})
    assert applied["status"] == "done"
    key = applied["message_key"]
    params: dict[str, Any] = {"app_id": "prokov", "mailbox": "tasks", "folder": "Test", "uidvalidity": 9}
    assert inbound.call("mailproc", "unsettled", {**params, "uids": [1, 2]})["uids"] == [1, 2]
    inbound.call("mailproc", "settle", {**params, "uid": 2, "message_key": key})
    assert inbound.call("mailproc", "unsettled", {**params, "uids": [1, 2]})["uids"] == [1]
    assert inbound.call("mailproc", "messages", {"app_id": "prokov", "limit": 5})["messages"][0]["subject"] == "Parsed"
    for action, params, code in (
        ("retry", {"app_id": "prokov", "id": 999999}, "NOT_FOUND"),
        ("parse", {"raw": "not base64!"}, "VALIDATION_ERROR"),
        ("apply_rules", {"app_id": "nope", "raw": raw}, "UNKNOWN_APP"),
        ("apply_rules", {"app_id": "prokov"}, "BAD_REQUEST"),
    ):
        try:
            inbound.call("mailproc", action, params)
        except IpcError as exc:
            assert exc.code == code, (action, exc)
        else:
            raise AssertionError(f"{action} {params} was accepted")
