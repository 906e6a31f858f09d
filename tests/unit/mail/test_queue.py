"""Queueing mail (MailService): checked, rendered, stored in the outbox, the delivery woken; all or nothing."""

import pytest

from application.mail.ports import Recipient, Rendered
from application.mail.service import MailService
from domain.errors import BadRequest, ConfigError, InvalidInput, NotFound
from tests.fakes.clock import FakeClock
from tests.fakes.mail import FakeMailAccounts, FakeOutbox, FakeTemplates, smtp_account


@pytest.fixture
def outbox():
    return FakeOutbox()


@pytest.fixture
def woken():
    return []


@pytest.fixture
def mail(outbox, woken):
    templates = FakeTemplates({"shop": {"welcome": Rendered("Welcome {name}", "Hello {name}", "<p>Hello {name}</p>")}})
    accounts = FakeMailAccounts({"shop": smtp_account(), "quiet": None})
    ids = iter(f"id{i}" for i in range(1, 100_000))
    return MailService(accounts, templates, outbox, FakeClock(1000.0), notify=woken.append, new_id=lambda: next(ids))


async def test_send_stores_the_message_and_wakes_the_delivery(mail, outbox, woken):
    queued = await mail.send("shop", "Ana <ana@shop.test>", "Your order", "Thanks", "<p>Thanks</p>", "help@shop.test")
    assert queued.message_id == "<id1@shop.sogoms>"
    assert queued.status == "queued"
    (stored,) = outbox.all()
    assert (stored.recipient, stored.subject, stored.body, stored.body_html, stored.reply_to) == (
        "Ana <ana@shop.test>",
        "Your order",
        "Thanks",
        "<p>Thanks</p>",
        "help@shop.test",
    )
    assert stored.status == "queued"
    assert stored.next_attempt_at == stored.created_at == 1000.0
    assert woken == ["shop"]


async def test_a_header_injection_is_refused_and_nothing_is_stored(mail, outbox, woken):
    with pytest.raises(InvalidInput) as err:
        await mail.send("shop", "ana@shop.test", "Hi\r\nBcc: all@evil.test", "body")
    assert err.value.field_errors[0].field == "subject"
    assert outbox.all() == []
    assert woken == []


async def test_unknown_app_and_app_without_smtp_are_refused(mail):
    with pytest.raises(NotFound):
        await mail.send("nowhere", "a@b.test", "s", "b")
    with pytest.raises(ConfigError, match="smtp"):
        await mail.send("quiet", "a@b.test", "s", "b")


async def test_send_template_renders_with_the_data(mail, outbox):
    await mail.send_template("shop", "welcome", "ana@shop.test", {"name": "Ana"})
    (stored,) = outbox.all()
    assert (stored.subject, stored.body, stored.body_html) == ("Welcome Ana", "Hello Ana", "<p>Hello Ana</p>")


async def test_send_template_subject_overrides_the_template(mail, outbox):
    await mail.send_template("shop", "welcome", "ana@shop.test", {"name": "Ana"}, subject="Hi there")
    assert outbox.all()[0].subject == "Hi there"


async def test_send_template_missing_variable_and_unknown_template(mail, outbox):
    with pytest.raises(InvalidInput) as err:
        await mail.send_template("shop", "welcome", "ana@shop.test", {})
    assert err.value.field_errors[0].field == "data.name"
    with pytest.raises(NotFound):
        await mail.send_template("shop", "nope", "ana@shop.test", {})
    assert outbox.all() == []


async def test_bulk_renders_each_copy_with_its_own_data(mail, outbox, woken):
    result = await mail.send_bulk(
        "shop", [Recipient("ana@shop.test", {"name": "Ana"}), Recipient("ben@shop.test", {"name": "Ben"})], "welcome"
    )
    assert result.queued == 2
    assert result.message_ids == ["<id1@shop.sogoms>", "<id2@shop.sogoms>"]
    assert [(m.recipient, m.subject) for m in outbox.all()] == [
        ("ana@shop.test", "Welcome Ana"),
        ("ben@shop.test", "Welcome Ben"),
    ]
    assert woken == ["shop"]


async def test_bulk_inline_sources_are_rendered_per_recipient(mail, outbox):
    await mail.send_bulk(
        "shop",
        [Recipient("ana@shop.test", {"n": 3}), Recipient("ben@shop.test", {"n": 5})],
        subject="You have {n} tasks",
        body="{n} tasks",
    )
    assert [m.subject for m in outbox.all()] == ["You have 3 tasks", "You have 5 tasks"]


async def test_bulk_is_all_or_nothing_and_names_each_bad_recipient(mail, outbox):
    recipients = [
        Recipient("ana@shop.test", {"name": "Ana"}),
        Recipient("not-an-address", {"name": "X"}),
        Recipient("ben@shop.test", {}),
    ]
    with pytest.raises(InvalidInput) as err:
        await mail.send_bulk("shop", recipients, "welcome")
    assert [e.field for e in err.value.field_errors] == ["recipients[1].to", "recipients[2].data.name"]
    assert outbox.all() == []


async def test_bulk_argument_errors(mail):
    with pytest.raises(InvalidInput, match="at least one"):
        await mail.send_bulk("shop", [], "welcome")
    with pytest.raises(BadRequest, match="either"):
        await mail.send_bulk("shop", [Recipient("a@b.test")], "welcome", body="x")


async def test_status_reports_the_outbox_state(mail, outbox):
    queued = await mail.send("shop", "ana@shop.test", "Hi", "body")
    status = await mail.status("shop", queued.message_id)
    assert status.status == "queued"
    assert status.attempts == 0
    assert status.created_at == "1970-01-01T00:16:40.000Z"
    assert status.sent_at is None
    with pytest.raises(NotFound):
        await mail.status("shop", "<unknown@shop.sogoms>")


async def test_health_exposes_the_outbox_depth(mail):
    await mail.send("shop", "ana@shop.test", "Hi", "body")
    await mail.send("shop", "ben@shop.test", "Hi", "body")
    health = await mail.health()
    assert health["ok"] is True
    assert health["outbox_depth"] == 2
    assert health["apps"]["shop"]["outbox"]["queued"] == 2
    assert health["apps"]["shop"]["templates"] == ["welcome"]
    assert "quiet" not in health["apps"]
