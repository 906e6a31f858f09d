"""200 messages while sogoms-imap is killed -9 twice and Dovecot restarted once: 200 tasks, 0 lost, 0 duplicates."""

from __future__ import annotations

import imaplib
import os
import signal
import threading
import time
from collections import Counter

from tests.support.mail import mail

from .conftest import MAILBOX, Inbound, eventually

COUNT = 200


def test_no_message_is_lost_or_applied_twice_across_crashes_and_a_server_restart(inbound: Inbound) -> None:
    delivered: list[int] = []
    failures: list[str] = []

    def deliver() -> None:
        for i in range(COUNT):
            raw = mail(subject=f"Durable #{i:03d}", body=f"message {i}", message_id=f"<durable-{i}@client.test>")
            for _ in range(200):  # Dovecot may be restarting: a delivery agent retries
                try:
                    inbound.deliver(raw)
                    break
                except (OSError, imaplib.IMAP4.error) as exc:
                    failures.append(str(exc))
                    time.sleep(0.1)
            else:
                raise AssertionError(f"message {i} could not be delivered")
            delivered.append(i)
            time.sleep(0.02)

    def kill_imap() -> None:
        proc = inbound.procs["imap"]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        inbound.start("imap")  # what sogoctl does after a crash

    def tasks() -> list[dict[str, object]]:
        return inbound.query("SELECT title FROM tasks WHERE title LIKE 'Durable #%'")

    sender = threading.Thread(target=deliver)
    sender.start()
    try:
        eventually(lambda: len(delivered) >= 40 and len(tasks()) >= 20, timeout=120)
        kill_imap()
        eventually(lambda: len(delivered) >= 100, timeout=120)
        inbound.dovecot.restart()
        eventually(lambda: len(delivered) >= 150 and len(tasks()) >= 110, timeout=120)
        kill_imap()
    finally:
        sender.join(180)
    assert len(delivered) == COUNT
    eventually(lambda: len(tasks()) >= COUNT, timeout=180, pause=0.5)
    time.sleep(2)  # anything still in flight would show up as a duplicate now
    titles = Counter(str(r["title"]) for r in tasks())
    assert len(titles) == COUNT, f"lost: {sorted(set(f'Durable #{i:03d}' for i in range(COUNT)) - set(titles))}"
    assert [t for t, n in titles.items() if n > 1] == []
    replies = Counter(str(m["Subject"]) for m in inbound.smtp.wait_for(COUNT, timeout=120))
    assert len(replies) == COUNT and max(replies.values()) == 1
    # every UID was settled: nothing is left for a later scan, and every message is marked read
    assert len(inbound.dovecot.uids(MAILBOX, criteria="UNSEEN")) == 0
