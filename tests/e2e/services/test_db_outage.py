"""Killing sogoms-db under load: 503 at once (never a hang, never a wrong or another user's row), and normal
service again within 2 s of sogoms-db being back."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass

import httpx

from tests.support.processes import start, wait_for_socket

OWN = {"ana@prokov.test": (1, {1, 2}), "ben@prokov.test": (2, {3})}
OTHERS = {"ana@prokov.test": 3, "ben@prokov.test": 1}


@dataclass
class Answer:
    started: float
    user: str
    path: str
    status: int
    body: dict
    error: str = ""


def check(a: Answer) -> str:
    """'ok', 'unavailable', or what is wrong with this answer."""
    if a.error:
        return f"no answer: {a.error}"
    if a.status == 503:
        err = a.body.get("error", {})
        return (
            "unavailable" if err.get("code") == "SERVICE_UNAVAILABLE" and not a.body["success"] else f"bad 503 {a.body}"
        )
    user_id, own = OWN[a.user]
    if a.path.endswith(f"/{OTHERS[a.user]}"):  # another user's row: never shown, not even its existence
        return "ok" if a.status == 404 and a.body["error"]["code"] == "NOT_FOUND" else f"leak {a.status} {a.body}"
    if a.status != 200:
        return f"unexpected {a.status} {a.body}"
    data = a.body["data"]
    if isinstance(data, list):
        return "ok" if data and {row["id"] for row in data} == own else f"wrong rows {data}"
    return "ok" if data["user_id"] == user_id and data["id"] in own else f"wrong row {data}"


def load(gw, user: str, token: str, until: threading.Event, out: list[Answer]) -> None:
    paths = ["/api/projects", *(f"/api/projects/{i}" for i in OWN[user][1]), f"/api/projects/{OTHERS[user]}"]
    headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {token}"}
    n = 0
    with gw.client(timeout=4.0) as http:  # a hang shows as a timeout: the gateway must answer well before
        while not until.is_set() and n < 20_000:
            path = paths[n % len(paths)]
            n += 1
            started = time.monotonic()
            try:
                r = http.get(path, headers=headers)
                out.append(Answer(started, user, path, r.status_code, r.json()))
            except httpx.HTTPError as exc:
                out.append(Answer(started, user, path, 0, {}, repr(exc)))
            time.sleep(0.002)


def test_killing_sogoms_db_mid_load(platform, services, sogoway):
    tokens = {u: sogoway.token(u) for u in OWN}
    answers: list[Answer] = []
    done = threading.Event()
    threads = [threading.Thread(target=load, args=(sogoway, u, tokens[u], done, answers)) for u in [*OWN, *OWN]]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        killed = time.monotonic()
        os.kill(services["db"].pid, signal.SIGKILL)  # a crash, not a drain
        services["db"].wait(5)
        time.sleep(2.0)
        services["db"] = start("sogoms-db", env=platform.env, log=platform.paths.logs / "sogoms-db.2.out")
        wait_for_socket(platform.paths.socket("db"), proc=services["db"])
        back = time.monotonic()
        time.sleep(3.0)
    finally:
        done.set()
        for t in threads:
            t.join(30)

    verdicts = [(a, check(a)) for a in answers]
    wrong = [(a.path, a.user, v) for a, v in verdicts if v not in ("ok", "unavailable")]
    assert not wrong, wrong[:5]
    before = [v for a, v in verdicts if a.started < killed - 0.1]
    outage = [v for a, v in verdicts if killed + 0.2 < a.started < back - 0.1]
    after = [v for a, v in verdicts if a.started > back + 2.0]
    assert before and set(before) == {"ok"}, [a.body for a, v in verdicts if a.started < killed - 0.1 and v != "ok"][:3]
    # while sogoms-db is down, every request that needs it is a quick 503 (only another user's id, refused
    # as 404 from the token alone, may not need it)
    assert len(outage) > 20 and set(outage) <= {"unavailable", "ok"}
    assert outage.count("unavailable") >= len(outage) * 0.6
    assert after and set(after) == {"ok"}, after[:5]
