"""The aiosmtplib transport against a real SMTP server: plain, STARTTLS, implicit TLS, AUTH, and its replies."""

from __future__ import annotations

import pytest

from adapters.smtp.transport import AiosmtplibTransport
from application.mail.ports import DeliveryFailed
from domain.mail.outbound import OutboxMessage
from tests.fakes.mail import smtp_account

from .smtpd import SmtpServer, client_context, make_certificate, password_check, server_context


def message(n: int = 1, **kw) -> OutboxMessage:
    fields = {
        "message_id": f"<m{n}@shop.sogoms>",
        "recipient": "Ana Lima <ana@shop.test>",
        "subject": "Votre commande n°42",
        "body": "Merci Ana.",
        "body_html": "<p>Merci <b>Ana</b>.</p>",
        "created_at": 1_700_000_000.0,
    }
    return OutboxMessage(**{**fields, **kw})


@pytest.fixture
def tls(tmp_path):
    cert, key, pem = make_certificate(tmp_path)
    return server_context(cert, key), pem


async def send(account, *messages, transport=None):
    async with (transport or AiosmtplibTransport()).session(account) as session:
        for m in messages:
            await session.send(m)


async def test_plain_delivery_carries_the_headers_and_both_bodies(smtpd, recorder):
    account = smtp_account(port=smtpd.port, from_name="Shop Team", starttls=False)
    await send(account, message(reply_to="help@shop.test"))
    (msg,) = recorder.messages
    assert recorder.envelopes == [("noreply@shop.test", ["ana@shop.test"])]
    assert msg["Message-ID"] == "<m1@shop.sogoms>"
    assert msg["From"] == "Shop Team <noreply@shop.test>"
    assert msg["To"] == "Ana Lima <ana@shop.test>"
    assert msg["Reply-To"] == "help@shop.test"
    assert msg["Subject"] == "Votre commande n°42"
    assert msg["Date"] == "Tue, 14 Nov 2023 22:13:20 +0000"
    assert msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == "Merci Ana."
    assert msg.get_body(("html",)).get_content().strip() == "<p>Merci <b>Ana</b>.</p>"


async def test_one_session_sends_several_messages(smtpd, recorder):
    account = smtp_account(port=smtpd.port, starttls=False)
    await send(account, message(1), message(2, body_html=""), message(3, body=""))
    assert [m["Message-ID"] for m in recorder.messages] == ["<m1@shop.sogoms>", "<m2@shop.sogoms>", "<m3@shop.sogoms>"]
    assert recorder.messages[1].get_content_type() == "text/plain"
    assert recorder.messages[2].get_content_type() == "text/html"


async def test_starttls_with_auth(recorder, tls):
    ctx, pem = tls
    server = SmtpServer(
        recorder, tls_context=ctx, require_starttls=True, authenticator=password_check("shop", "s3cret")
    ).start()
    try:
        account = smtp_account(port=server.port, starttls=True, user="shop")
        account = type(account)(account.app_id, account.smtp, account.sender, "s3cret")
        await send(account, message(), transport=AiosmtplibTransport(tls_context=client_context(pem)))
        assert [m["Message-ID"] for m in recorder.messages] == ["<m1@shop.sogoms>"]

        wrong = type(account)(account.app_id, account.smtp, account.sender, "nope")
        with pytest.raises(DeliveryFailed) as err:
            await send(wrong, message(2), transport=AiosmtplibTransport(tls_context=client_context(pem)))
        assert err.value.unreachable  # a refused login waits for the config to be fixed, attempts untouched
        assert "refused the login: 535" in err.value.reason
    finally:
        server.stop()


async def test_a_server_requiring_starttls_refuses_a_plain_client(recorder, tls):
    ctx, _ = tls
    server = SmtpServer(recorder, tls_context=ctx, require_starttls=True).start()
    try:
        with pytest.raises(DeliveryFailed) as err:
            await send(smtp_account(port=server.port, starttls=False), message())
        assert "530" in err.value.reason
        assert not err.value.unreachable
        assert recorder.messages == []
    finally:
        server.stop()


async def test_implicit_tls(recorder, tls):
    ctx, pem = tls
    server = SmtpServer(recorder, ssl_context=ctx).start()
    try:
        account = smtp_account(port=server.port, tls=True)
        await send(account, message(), transport=AiosmtplibTransport(tls_context=client_context(pem)))
        assert [m["Message-ID"] for m in recorder.messages] == ["<m1@shop.sogoms>"]
    finally:
        server.stop()


async def test_an_untrusted_certificate_is_refused(recorder, tls):
    ctx, _ = tls
    server = SmtpServer(recorder, ssl_context=ctx).start()
    try:
        with pytest.raises(DeliveryFailed) as err:
            await send(smtp_account(port=server.port, tls=True), message())
        assert err.value.unreachable
        assert "CERTIFICATE_VERIFY_FAILED" in err.value.reason
        assert recorder.messages == []
    finally:
        server.stop()


async def test_5xx_is_permanent_and_4xx_temporary_with_the_server_reply(smtpd, recorder):
    account = smtp_account(port=smtpd.port, starttls=False)
    recorder.reply = lambda msg: "550 5.1.1 <ana@shop.test>: no such user"
    with pytest.raises(DeliveryFailed) as err:
        await send(account, message())
    assert err.value.permanent
    assert err.value.reason == "550 5.1.1 <ana@shop.test>: no such user"
    recorder.reply = lambda msg: "451 4.7.1 greylisted, try again later"
    with pytest.raises(DeliveryFailed) as err:
        await send(account, message())
    assert not err.value.permanent and not err.value.unreachable
    assert err.value.reason == "451 4.7.1 greylisted, try again later"


async def test_after_a_failure_the_session_reconnects_for_the_next_message(smtpd, recorder):
    account = smtp_account(port=smtpd.port, starttls=False)
    recorder.reply = lambda msg: "451 busy" if msg["Message-ID"] == "<m1@shop.sogoms>" else None
    async with AiosmtplibTransport().session(account) as session:
        with pytest.raises(DeliveryFailed):
            await session.send(message(1))
        await session.send(message(2))
    assert [m["Message-ID"] for m in recorder.messages] == ["<m2@shop.sogoms>"]


async def test_a_server_that_is_down_is_unreachable():
    from tests.support.processes import free_port

    with pytest.raises(DeliveryFailed) as err:
        await send(smtp_account(port=free_port(), starttls=False, timeout="2s"), message())
    assert err.value.unreachable
    assert err.value.reason.startswith("cannot reach 127.0.0.1:")
