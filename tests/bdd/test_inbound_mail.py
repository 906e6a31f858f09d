"""Steps of features/mail/inbound.feature: Dovecot, sogoms-imap, -mailproc, -smtp, -db, -logs as real processes."""

from __future__ import annotations

import uuid

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from tests.e2e.inbound.conftest import Inbound, eventually, inbound
from tests.support.mail import mail

scenarios("mail/inbound.feature")
pytestmark = pytest.mark.usefixtures("inbound")
__all__ = ["inbound"]

TASKS = "SELECT t.title, t.project_id, u.email FROM tasks t JOIN users u ON u.id = t.user_id WHERE t.title = :title"


@given("prokov reads its tasks mailbox and answers through sogoms-smtp", target_fixture="world")
def world(inbound: Inbound) -> dict[str, object]:
    return {"stack": inbound}


def settled(stack: Inbound, count: int) -> None:
    """Every delivered message has its outcome (nothing still in the mailbox unread)."""
    eventually(lambda: len(stack.call("mailproc", "messages", {"app_id": "prokov"})["messages"]) >= count, timeout=60)


@when(parsers.parse('"{sender}" mails "{subject}" with the text "{text}", vouched for by the mail server'))
def mails(world, sender: str, subject: str, text: str) -> None:
    stack: Inbound = world["stack"]
    stack.deliver(mail(sender=sender, subject=subject, body=text, dkim=sender.rpartition("@")[2]))
    settled(stack, 1)


@when(parsers.parse('someone mails "{subject}" as "{sender}" but the mail server vouches for "{domain}"'))
def spoofs(world, subject: str, sender: str, domain: str) -> None:
    stack: Inbound = world["stack"]
    stack.deliver(mail(sender=sender, subject=subject, dkim=domain))
    settled(stack, 1)


@when(parsers.parse('"{sender}" mails "{subject}" twice with the same Message-ID, vouched for by the mail server'))
def twice(world, sender: str, subject: str) -> None:
    stack: Inbound = world["stack"]
    raw = mail(sender=sender, subject=subject, message_id=f"<{uuid.uuid4().hex}@client.test>", dkim="prokov.test")
    stack.deliver(raw)
    stack.deliver(raw)
    settled(stack, 1)
    eventually(lambda: stack.dovecot.uids("tasks@prokov.localhost", criteria="UNSEEN") == [], timeout=60)


@then(parsers.parse('"{email}" has the task "{title}" in her first project'))
def has_task(world, email: str, title: str) -> None:
    stack: Inbound = world["stack"]
    (row,) = eventually(lambda: stack.query(TASKS, {"title": title}))
    assert row["email"] == email
    first = stack.query(
        "SELECT p.id FROM projects p JOIN users u ON u.id = p.user_id WHERE u.email = :e ORDER BY p.position, p.id",
        {"e": email},
    )[0]
    assert row["project_id"] == first["id"]


@then(parsers.parse('"{email}" has exactly one task "{title}"'))
def one_task(world, email: str, title: str) -> None:
    stack: Inbound = world["stack"]
    rows = eventually(lambda: stack.query(TASKS, {"title": title}))
    assert [r["email"] for r in rows] == [email]


@then(parsers.parse('nobody has the task "{title}"'))
def no_task(world, title: str) -> None:
    assert world["stack"].query(TASKS, {"title": title}) == []


@then(parsers.parse('"{to}" receives a reply titled "{subject}"'))
def reply_titled(world, to: str, subject: str) -> None:
    (reply,) = world["stack"].smtp.wait_for(1)
    assert reply["To"] == to and reply["Subject"] == subject


@then(parsers.parse('"{to}" receives a reply saying "{text}"'))
def reply_saying(world, to: str, text: str) -> None:
    (reply,) = world["stack"].smtp.wait_for(1)
    assert reply["To"] == to and text in reply.get_body(("plain",)).get_content()
