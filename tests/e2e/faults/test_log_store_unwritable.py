"""The log store cannot write (a full disk: the day's audit and events files are links to /dev/full) (item 1).

A create committed its row, then its audit write failed and the client got 500 for a row that exists (a retry
duplicated it). Now every write is answered by its outcome (201, each row once), its audit entry is kept in the
app's database and shipped to the audit log once it writes again, and the failure shows in /ready and health.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from tests.e2e.faults.support import timed, token
from tests.e2e.supervisor.conftest import wait_until

WRITES = 40


def today() -> str:
    return datetime.now(UTC).strftime("%Y%m%d")


@pytest.mark.experiment("log store unwritable (disk full)")
def test_writes_answer_their_outcome_and_the_audit_is_shipped_once_the_disk_has_room(platform_sqlite, experiment):
    ctl = platform_sqlite
    logs = ctl.platform.paths.logs
    headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {token(ctl)}"}
    full = [logs / f"prokov-{today()}-{kind}.log" for kind in ("audit", "events")]
    for path in full:
        path.unlink(missing_ok=True)
        path.symlink_to("/dev/full")
    names = [f"disk full {n}" for n in range(WRITES)]
    with httpx.Client(base_url=ctl.url(""), headers=headers, timeout=15) as http:
        answers = [timed(http, "POST", "/api/projects", json={"name": name}) for name in names]
        login = httpx.post(
            ctl.url("/api/auth/login"),
            json={"email": "ana@prokov.test", "password": "wrong password"},
            headers={"Host": "prokov.localhost"},
            timeout=15,
        )
        ready = timed(http, "GET", "/ready", headers={"Host": "127.0.0.1"})
        logs_health = wait_until(
            lambda: (h := ctl.status()["sogoms-logs"]["health"])["note"].startswith("degraded: writes failing") and h,
            5,
            "sogoms-logs degraded",
        )
        listed = http.get("/api/projects", params={"limit": 500}).json()["data"]
        for path in full:  # room on the disk again
            path.unlink()
        shipped = wait_until(
            lambda: (
                (p := logs / f"prokov-{today()}-audit.log").exists()
                and len(entries := [json.loads(line) for line in p.read_text().splitlines()]) >= WRITES
                and entries
            ),
            30,
            "the spooled audit entries shipped",
        )
        last: list[object] = []

        def ready_again() -> object:
            r = timed(http, "GET", "/ready", headers={"Host": "127.0.0.1"})
            last[:] = [r.body]
            return r.status == 200 and r

        try:
            ready_after = wait_until(ready_again, 40, "/ready again")
        except AssertionError as exc:
            raise AssertionError(f"{exc}: {last}") from None
    experiment.requests = len(answers)
    experiment.acknowledged = sum(a.status == 201 for a in answers)
    experiment.errors_5xx = sum(a.status >= 500 for a in answers)
    created = [p["name"] for p in listed if p["name"].startswith("disk full ")]
    experiment.lost = len(set(names) - {e["data"]["after"].get("name") for e in shipped})
    experiment.note = f"{len(shipped)} audit entries shipped from the spool; rows created once each"
    assert [a.status for a in answers] == [201] * WRITES, {(a.status, a.code) for a in answers}
    assert sorted(created) == sorted(names)  # each row once: nothing to retry, nothing duplicated
    assert login.status_code == 401  # a refused login is answered as such, its log line unwritable
    assert ready.status == 503
    assert ready.body["data"]["checks"]["logs"]["ok"] is False
    assert ready.body["data"]["checks"]["audit"]["ok"] is False
    assert logs_health["note"].startswith("degraded: writes failing") and "No space left" in logs_health["note"]
    assert sorted(e["data"]["after"]["name"] for e in shipped if e["event"] == "projects.create") == sorted(names)
    assert all(e["data"].get("spooled_at") for e in shipped)
    assert ready_after.body["data"]["checks"]["audit"]["spooled"] >= 1
