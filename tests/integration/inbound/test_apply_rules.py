"""sogoms-mailproc's rules on a real database: a mail from a proven account becomes its row, once."""

from __future__ import annotations

from domain.push import EventKind
from tests.support.mail import mail

from .conftest import Mailproc


async def test_mail_from_ana_creates_a_task_in_her_first_project_and_replies(mailproc: Mailproc) -> None:
    result = await mailproc.apply(mail(subject="Buy paint", body="Two litres of white."))
    assert result["status"] == "done", result
    tasks = await mailproc.tasks(
        "SELECT t.*, u.email FROM tasks t JOIN users u ON u.id = t.user_id WHERE title = 'Buy paint'"
    )
    assert len(tasks) == 1
    assert tasks[0]["email"] == "ana@prokov.test"
    assert tasks[0]["description"].strip() == "Two litres of white."
    first = await mailproc.rows(
        "SELECT id FROM projects WHERE user_id = :u ORDER BY position, id LIMIT 1", {"u": tasks[0]["user_id"]}
    )
    assert tasks[0]["project_id"] == first[0]["id"]
    ((_action, params),) = mailproc.mailer.calls
    assert params["template"] == "task_created" and params["to"] == "ana@prokov.test"
    assert params["data"]["task"]["id"] == tasks[0]["id"]
    assert result["imap"] == [{"imap": "mark_read"}]


async def test_a_row_made_by_a_mail_rule_is_told_to_its_owner_like_a_rest_write(mailproc: Mailproc) -> None:
    result = await mailproc.apply(mail(subject="Pushed", body="From a mail."))
    assert result["status"] == "done", result
    [task] = await mailproc.rows("SELECT id, user_id FROM tasks WHERE title = 'Pushed'")
    [(app, user_id, resource, kind, key, row)] = mailproc.events.written_events
    assert (app, user_id, resource, kind, key) == ("prokov", task["user_id"], "tasks", EventKind.CREATED, task["id"])
    assert row["user_id"] == task["user_id"]


async def test_the_same_message_twice_is_processed_once(mailproc: Mailproc) -> None:
    raw = mail(subject="Only once", message_id="<once@client.test>")
    first = await mailproc.apply(raw, folder="INBOX", uid=7)
    again = await mailproc.apply(raw, folder="INBOX", uid=8)
    assert first["status"] == "done" and again["status"] == "done" and again["duplicate"] is True
    assert len(await mailproc.rows("SELECT id FROM tasks WHERE title = 'Only once'")) == 1
    assert len(mailproc.mailer.calls) == 1


async def test_a_spoofed_sender_gets_no_row_and_a_polite_refusal(mailproc: Mailproc) -> None:
    # From says ana, but the receiving server vouches for another domain
    result = await mailproc.apply(mail(subject="Spoofed", dkim="evil.test"))
    assert result["status"] == "refused"
    assert await mailproc.rows("SELECT id FROM tasks WHERE title = 'Spoofed'") == []
    ((_, params),) = mailproc.mailer.calls
    assert params["template"] == "mail_refused"


async def test_an_authentication_header_from_another_server_proves_nothing(mailproc: Mailproc) -> None:
    result = await mailproc.apply(mail(subject="Self-vouched", authserv="mx.evil.test"))
    assert result["status"] == "refused"
    assert await mailproc.rows("SELECT id FROM tasks WHERE title = 'Self-vouched'") == []


async def test_an_unknown_sender_gets_no_row(mailproc: Mailproc) -> None:
    result = await mailproc.apply(mail(sender="stranger@prokov.test", subject="Hello"))
    assert result["status"] == "refused"
    assert await mailproc.rows("SELECT id FROM tasks WHERE title = 'Hello'") == []


async def test_a_secret_address_proves_the_account_without_any_header(mailproc: Mailproc) -> None:
    ben = (await mailproc.rows("SELECT id FROM users WHERE email = 'ben@prokov.test'"))[0]["id"]
    address = (await mailproc.processor.address("prokov", str(ben), "tasks"))["address"]
    assert address.startswith("tasks+") and address.endswith("@prokov.localhost")
    result = await mailproc.apply(mail(sender="ben@elsewhere.test", to=address, subject="From my phone", dkim=None))
    assert result["status"] == "done", result
    rows = await mailproc.rows("SELECT user_id FROM tasks WHERE title = 'From my phone'")
    assert [r["user_id"] for r in rows] == [ben]
    tampered = address.replace(f"+{ben}.", f"+{ben + 100}.")
    refused = await mailproc.apply(mail(sender="x@elsewhere.test", to=tampered, subject="Tampered", dkim=None))
    assert refused["status"] == "refused"
    assert await mailproc.rows("SELECT id FROM tasks WHERE title = 'Tampered'") == []
