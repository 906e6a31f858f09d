"""A database that refuses or is silent, through a TCP proxy in front of MariaDB (issue 11 item 2).

Silent (hung): health must answer within its budget and say "degraded: database unreachable" (no restart of
sogoms-db or sogoms-smtp, which used to come after about 31 s and count towards FATAL); requests fail fast, one
bounded wait for the first and none for the next; service is back within seconds of the database.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.e2e.faults.support import timed, token, until_ok
from tests.e2e.supervisor.conftest import wait_until

DB_SERVICES = ("sogoms-db", "sogoms-smtp")
FIRST_WAIT = 3.0  # the one bounded wait: a statement's stall (1 s) and the probe (1 s), plus a loaded machine
NEXT_WAIT = 1.0  # every later request while the database is silent (fast-failed; 1 s on a loaded machine)


def degraded(ctl, name: str) -> bool:
    health = ctl.status()[name]["health"]
    return bool(health) and health["note"].startswith("degraded: database unreachable")


@pytest.mark.experiment("database hung (TCP proxy holds, answers nothing)")
def test_a_silent_database_degrades_health_fails_requests_fast_and_restarts_nothing(platform_on_proxy, experiment):
    ctl, proxy = platform_on_proxy
    headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {token(ctl)}"}
    with httpx.Client(base_url=ctl.url(""), headers=headers, timeout=15) as http:
        assert timed(http, "GET", "/api/projects").status == 200
        proxy.set("hang")
        answers = []
        deadline = time.monotonic() + 8.0  # more than 3 failed checks (3 × (0.5 s + 2 s)) would have taken
        while time.monotonic() < deadline:
            answers.append(timed(http, "GET", "/api/projects"))
        ready = timed(http, "GET", "/ready", headers={"Host": "127.0.0.1"})
        status = ctl.status()
        proxy.set("pass")
        experiment.recoveries.append(until_ok(lambda: timed(http, "GET", "/api/projects").status == 200, 20))
    experiment.requests = len(answers)
    experiment.errors_5xx = sum(a.status >= 500 for a in answers)
    experiment.acknowledged = sum(a.status == 200 for a in answers)
    experiment.note = (
        f"first answer {answers[0].seconds:.2f} s, later ones max {max(a.seconds for a in answers[1:]):.2f} s; "
        "no restart"
    )
    assert all((a.status, a.code) == (503, "SERVICE_UNAVAILABLE") for a in answers), {
        (a.status, a.code) for a in answers
    }
    assert answers[0].seconds < FIRST_WAIT, answers[0]
    assert len(answers) > 20 and max(a.seconds for a in answers[1:]) < NEXT_WAIT, sorted(a.seconds for a in answers)[
        -5:
    ]
    assert ready.status == 503 and ready.seconds < FIRST_WAIT
    assert ready.body["data"]["checks"]["db"]["ok"] is False
    for name in DB_SERVICES:
        s = status[name]
        assert s["state"] == "RUNNING" and s["restarts"] == 0 and s["failures_in_window"] == 0, s
        assert s["health"]["note"].startswith("degraded: database unreachable"), s["health"]
    wait_until(lambda: not any(degraded(ctl, n) for n in DB_SERVICES), 15, "health ok again")
    assert all(ctl.status()[n]["restarts"] == 0 for n in DB_SERVICES)


@pytest.mark.experiment("database refusing (TCP proxy resets)")
def test_a_refusing_database_answers_503_at_once_and_recovers(platform_on_proxy, experiment):
    ctl, proxy = platform_on_proxy
    headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {token(ctl)}"}
    with httpx.Client(base_url=ctl.url(""), headers=headers, timeout=15) as http:
        proxy.set("refuse")
        answers = [timed(http, "GET", "/api/projects") for _ in range(100)]
        proxy.set("pass")
        experiment.recoveries.append(until_ok(lambda: timed(http, "GET", "/api/projects").status == 200, 20))
    experiment.requests = len(answers)
    experiment.errors_5xx = sum(a.status >= 500 for a in answers)
    experiment.note = f"503 in at most {max(a.seconds for a in answers):.2f} s"
    assert all((a.status, a.code) == (503, "SERVICE_UNAVAILABLE") for a in answers)
    assert max(a.seconds for a in answers) < NEXT_WAIT * 2
    assert all(ctl.status()[n]["restarts"] == 0 for n in DB_SERVICES)
