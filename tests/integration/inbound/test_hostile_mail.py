"""Hostile mail through sogoms-mailproc's rules: nothing crashes, and no row is ever made for the wrong user."""

from __future__ import annotations

from tests.support.mail import AUTHSERV, mail

from .conftest import Mailproc

ANA_AUTH = f"Authentication-Results: {AUTHSERV}; dkim=pass header.d=prokov.test\r\n"


def nested(levels: int, subject: str) -> bytes:
    head = (
        f"{ANA_AUTH}From: ana@prokov.test\r\nTo: tasks@prokov.localhost\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
    )
    opening = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(levels))
    closing = "".join(f"\r\n--b{i}--\r\n" for i in reversed(range(levels)))
    return (head + opening + "Content-Type: text/plain\r\n\r\ndeep inside\r\n" + closing).encode()


async def tasks(mailproc: Mailproc, title: str) -> list[dict[str, object]]:
    return await mailproc.tasks(
        "SELECT t.id, t.title, t.description, u.email FROM tasks t JOIN users u ON u.id = t.user_id WHERE t.title LIKE :t",
        {"t": title},
    )


async def test_ten_thousand_nested_multiparts_are_read_for_their_headers_only(mailproc: Mailproc) -> None:
    result = await mailproc.apply(nested(10_000, "Deep"))
    assert result["status"] == "done"
    (row,) = await tasks(mailproc, "Deep")
    assert row["email"] == "ana@prokov.test" and (row["description"] or "") == ""
    parsed = await mailproc.processor.parse(__import__("base64").b64encode(nested(10_000, "Deep")).decode())
    assert any("MIME boundaries" in d for d in parsed["defects"])


async def test_malformed_mime_is_read_as_far_as_it_goes(mailproc: Mailproc) -> None:
    raw = (
        f"{ANA_AUTH}From: ana@prokov.test\r\nTo: tasks@prokov.localhost\r\nSubject: =?x-unknown?q?Broken=?= mime\r\n"
        'Content-Type: multipart/mixed; boundary="never-closed"\r\n\r\n--never-closed\r\n'
        "Content-Type: text/plain; charset=no-such-charset\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "!!!not base64!!!\r\n--never-closed\r\nContent-Type: application/pdf\r\n\r\n\x00\x01\x02"
    ).encode("latin-1") + b"\xff\xfe\x00 binary tail"
    result = await mailproc.apply(raw)
    assert result["status"] == "done", result
    rows = await tasks(mailproc, "%mime%")
    assert len(rows) == 1 and rows[0]["email"] == "ana@prokov.test"
    assert "\x00" not in str(rows[0]["description"])


async def test_no_headers_at_all_is_ignored_not_a_crash(mailproc: Mailproc) -> None:
    result = await mailproc.apply(b"\x00\xff garbage without any header or blank line")
    assert result["status"] == "ignored"  # no rule matches a message to nobody


async def test_header_injection_in_the_subject_stays_inside_the_title(mailproc: Mailproc) -> None:
    # an encoded word that decodes to CR LF and a Bcc "header"
    raw = mail(subject="=?utf-8?q?Hello=0D=0ABcc:_victim@evil.test?=")
    result = await mailproc.apply(raw)
    assert result["status"] == "done"
    (row,) = await tasks(mailproc, "Hello%")
    assert "\r" not in str(row["title"]) and "\n" not in str(row["title"])
    ((_, params),) = mailproc.mailer.calls
    assert params["to"] == "ana@prokov.test"  # one recipient, whatever the subject says


async def test_a_from_with_two_addresses_proves_nobody(mailproc: Mailproc) -> None:
    raw = mail(sender="ana@prokov.test, ben@prokov.test", subject="Two senders")
    assert (await mailproc.apply(raw))["status"] == "refused"
    assert await tasks(mailproc, "Two senders") == []


async def test_a_display_name_that_looks_like_another_user_changes_nothing(mailproc: Mailproc) -> None:
    # the name says ben, the address (vouched for) is ana's: the task is ana's, never ben's
    raw = mail(sender='"ben@prokov.test" <ana@prokov.test>', subject="Display trick")
    assert (await mailproc.apply(raw))["status"] == "done"
    assert [r["email"] for r in await tasks(mailproc, "Display trick")] == ["ana@prokov.test"]


async def test_a_spoofed_from_with_the_attackers_own_valid_dkim_gets_no_row(mailproc: Mailproc) -> None:
    raw = mail(sender="ben@prokov.test", subject="Pretending", dkim="attacker.test")
    assert (await mailproc.apply(raw))["status"] == "refused"
    assert await tasks(mailproc, "Pretending") == []


async def test_automatic_mail_is_never_answered(mailproc: Mailproc) -> None:
    raw = mail(sender="stranger@elsewhere.test", subject="Out of office", extra="Auto-Submitted: auto-replied")
    result = await mailproc.apply(raw)
    assert result["status"] == "refused"
    assert mailproc.mailer.calls == []  # no refusal to an auto-reply: no mail loop


async def test_a_rule_that_fails_is_retried_later_and_then_succeeds(mailproc: Mailproc) -> None:
    ana = (await mailproc.rows("SELECT id FROM users WHERE email = 'ana@prokov.test'"))[0]["id"]
    projects = await mailproc.rows("SELECT * FROM projects WHERE user_id = :u", {"u": ana})
    await mailproc.database.delete("prokov", "DELETE FROM tasks WHERE user_id = :u", {"u": ana})
    await mailproc.database.delete("prokov", "DELETE FROM projects WHERE user_id = :u", {"u": ana})
    raw = mail(subject="Needs a project", message_id="<retry-me@client.test>")
    failed = await mailproc.apply(raw)
    assert failed["status"] == "retry" and "no projects" in failed["error"]
    assert (await mailproc.apply(raw))["status"] == "busy"  # not due yet: nothing runs twice
    for p in projects:
        await mailproc.database.insert(
            "prokov",
            "INSERT INTO projects (id, user_id, name, position) VALUES (:id, :u, :n, :p)",
            {"id": p["id"], "u": ana, "n": p["name"], "p": p["position"]},
        )
    await mailproc.database.update(
        "prokov", "UPDATE sogoms_mail_messages SET next_attempt_at = 0 WHERE message_id = '<retry-me@client.test>'", {}
    )
    assert (await mailproc.apply(raw))["status"] == "done"
    assert len(await tasks(mailproc, "Needs a project")) == 1
