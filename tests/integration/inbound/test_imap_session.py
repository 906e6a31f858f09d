"""The IMAP session adapter against a real Dovecot: fetch, list, flags, move, IDLE, a lost connection."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.imap.session import AioImapSession
from domain.errors import Unavailable
from domain.mail.inbound import ImapMailbox
from tests.support.dovecot import Dovecot, running_dovecot, write_password
from tests.support.mail import mail

USER = "tasks@prokov.localhost"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot({USER: "s3cret-pass"}) as server:
        yield server


def settings(dovecot: Dovecot, **kw: object) -> ImapMailbox:
    return ImapMailbox(host="127.0.0.1", port=dovecot.port, user=USER, password_file="imap_pw", starttls=False, **kw)  # type: ignore[arg-type]


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    write_password(tmp_path, "imap_pw", "s3cret-pass")
    return tmp_path


async def test_fetch_list_mark_read_and_move(dovecot: Dovecot, secrets: Path) -> None:
    dovecot.append(USER, mail(subject="One"))
    dovecot.append(USER, mail(subject="Two", body="x" * 5000))
    session = await AioImapSession.open(settings(dovecot), secrets)
    try:
        state = await session.select("INBOX")
        assert state.uidvalidity > 0 and state.exists == 2
        uids = await session.uids()
        assert len(uids) == 2
        fetched = await session.fetch(uids[0], 1024 * 1024)
        assert fetched is not None and b"Subject: One" in fetched.raw and not fetched.truncated
        cut = await session.fetch(uids[1], 2048)
        assert cut is not None and cut.truncated and len(cut.raw) == 2048 and cut.size > 5000
        summaries = await session.summaries(uids)
        assert [s.subject for s in summaries] == ["Two", "One"]
        await session.mark_read(uids[0])
        await session.move(uids[1], "Processed")
        assert "Processed" in await session.folders()
        assert await session.fetch(uids[1], 4096) is None
    finally:
        await session.close()
    assert dovecot.uids(USER, criteria="SEEN") == [uids[0]]
    assert len(dovecot.uids(USER, "Processed")) == 1


async def test_idle_wakes_on_new_mail(dovecot: Dovecot, secrets: Path) -> None:
    session = await AioImapSession.open(settings(dovecot), secrets)
    try:
        await session.select("INBOX")
        assert "IDLE" in session.capabilities
        waiting = asyncio.ensure_future(session.wait(60))
        for _ in range(300):  # until the server has acknowledged IDLE (slow on a loaded machine)
            if session._client.has_pending_idle() and session._client.protocol._idle_event.is_set():
                break
            await asyncio.sleep(0.05)
        await asyncio.to_thread(dovecot.append, USER, mail(subject="Ping"))
        assert await asyncio.wait_for(waiting, 30) is True
        assert len(await session.uids()) == 1  # the session is usable after IDLE
    finally:
        await session.close()


async def test_a_wrong_password_is_unavailable_with_the_reason(dovecot: Dovecot, tmp_path: Path) -> None:
    write_password(tmp_path, "imap_pw", "wrong")
    with pytest.raises(Unavailable) as err:
        await AioImapSession.open(settings(dovecot), tmp_path)
    assert "LOGIN" in err.value.message


async def test_a_server_that_goes_away_ends_the_wait(dovecot: Dovecot, secrets: Path) -> None:
    session = await AioImapSession.open(settings(dovecot), secrets)
    try:
        await session.select("INBOX")
        waiting = asyncio.ensure_future(session.wait(60))
        await asyncio.sleep(0.5)
        await asyncio.to_thread(dovecot.stop)
        with pytest.raises(Unavailable):
            await asyncio.wait_for(waiting, 15)
    finally:
        await session.close()


@pytest.fixture
def tls_dovecot(tmp_path: Path) -> Iterator[tuple[Dovecot, Path]]:
    from tests.integration.mail.smtpd import make_certificate

    cert, key, _ = make_certificate(tmp_path)
    with running_dovecot({USER: "s3cret-pass"}, ssl_cert=(cert, key)) as server:
        yield server, cert


async def test_starttls_and_implicit_tls_verify_the_server(tls_dovecot, secrets: Path) -> None:
    server, ca = tls_dovecot
    tls_port = int(server.instance.config.read_text().split("inet_listener imaps")[1].split("port = ")[1].split()[0])
    for box in (
        ImapMailbox(host="127.0.0.1", port=server.port, user=USER, password_file="imap_pw", starttls=True),
        ImapMailbox(host="127.0.0.1", port=tls_port, user=USER, password_file="imap_pw", tls=True),
    ):
        session = await AioImapSession.open(box, secrets, ca_file=str(ca))
        try:
            assert (await session.select("INBOX")).uidvalidity > 0
        finally:
            await session.close()
    with pytest.raises(Unavailable, match="certificate"):  # the system's CAs do not know this server
        await AioImapSession.open(
            ImapMailbox(host="127.0.0.1", port=tls_port, user=USER, password_file="imap_pw", tls=True), secrets
        )


async def test_starttls_required_but_not_offered_is_refused_not_downgraded(dovecot: Dovecot, secrets: Path) -> None:
    box = ImapMailbox(host="127.0.0.1", port=dovecot.port, user=USER, password_file="imap_pw", starttls=True)
    with pytest.raises(Unavailable, match="does not offer STARTTLS"):
        await AioImapSession.open(box, secrets)
