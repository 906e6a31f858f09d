"""An SMTP server that goes silent (SIGSTOP: connections accepted, nothing answered) while sign-ups queue their
welcome mail: every sign-up answered 201 at once, every mail delivered once the server answers, none twice."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from email import message_from_bytes

import httpx
import pytest

from tests.e2e.supervisor.conftest import wait_until

SIGNUPS = 8  # under the demo apps' sign-up limit per address (10 an hour)
SILENT = 8.0


@pytest.mark.experiment(f"SMTP server silent {SILENT:g} s (SIGSTOP), mail queued")
def test_mail_queued_while_the_smtp_server_is_silent_is_delivered_once_each(platform_sqlite, experiment):
    ctl = platform_sqlite
    catcher = ctl.status()["mailcatcher"]["pid"]
    folder = ctl.platform.paths.logs / "mail"
    statuses, took = [], []
    os.kill(catcher, signal.SIGSTOP)
    stopped = time.monotonic()
    try:
        with httpx.Client(base_url=ctl.url(""), headers={"Host": "prokov.localhost"}, timeout=15) as http:
            for n in range(SIGNUPS):
                started = time.monotonic()
                r = http.post(
                    "/api/auth/register",
                    json={"email": f"smtp{n}@prokov.test", "name": f"Smtp {n}", "password": "long enough"},
                )
                took.append(time.monotonic() - started)
                statuses.append(r.status_code)
        time.sleep(max(0.0, SILENT - (time.monotonic() - stopped)))
    finally:
        resumed = time.monotonic()
        os.kill(catcher, signal.SIGCONT)

    def delivered() -> Counter[str]:
        to: Counter[str] = Counter()
        for eml in folder.glob("*.eml") if folder.exists() else []:
            address = str(message_from_bytes(eml.read_bytes())["To"])
            if address.startswith("smtp"):
                to[address] += 1
        return to

    wait_until(lambda: len(delivered()) >= SIGNUPS, 90, "every welcome mail delivered")
    experiment.recoveries.append(time.monotonic() - resumed)
    time.sleep(2)  # anything sent twice would show by now
    got = delivered()
    experiment.requests = SIGNUPS
    experiment.acknowledged = statuses.count(201)
    experiment.errors_5xx = sum(s >= 500 for s in statuses)
    experiment.lost = SIGNUPS - len(got)
    experiment.note = (
        f"{len(got)} mails delivered, {sum(v - 1 for v in got.values())} twice; sign-ups answered within "
        f"{max(took):.2f} s while the server was silent"
    )
    assert statuses == [201] * SIGNUPS
    assert sorted(got) == sorted(f"smtp{n}@prokov.test" for n in range(SIGNUPS))
    assert set(got.values()) == {1}
