"""SIGTERM to the gateway with sign-ins in flight: each one answered before the workers exit (drain), and sogoctl
starts the gateway again (a row kept from the first campaign, where 20 of 20 were answered)."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

from tests.e2e.supervisor.conftest import wait_until
from tests.support.api import DEMO_PASSWORDS

ACCOUNTS = [  # each signs in once (no login limit is reached): an argon2 verification each, slow enough to be in flight
    ("ana@prokov.test", "prokov.localhost"),
    ("ben@prokov.test", "prokov.localhost"),
    ("admin@prokov.test", "prokov.localhost"),
    ("admin@koprogo.com", "koprogo.localhost"),
    ("syndic@jardins.test", "koprogo.localhost"),
    ("accountant@jardins.test", "koprogo.localhost"),
    ("owner@jardins.test", "koprogo.localhost"),
    ("syndic@horizon.test", "koprogo.localhost"),
]
IN_FLIGHT = len(ACCOUNTS)


@pytest.mark.experiment(f"SIGTERM to the gateway, {IN_FLIGHT} requests in flight")
def test_sigterm_drains_every_request_in_flight(platform_sqlite, experiment):
    ctl = platform_sqlite
    answers: list[int] = []
    sent = threading.Event()
    clients = [httpx.Client(base_url=ctl.url(""), timeout=30) for _ in range(IN_FLIGHT)]
    for c in clients:  # connected before the signal: what the gateway has accepted it must answer
        assert c.get("/health").status_code == 200

    def login(client: httpx.Client, email: str, host: str) -> None:
        try:
            r = client.post(
                "/api/auth/login", json={"email": email, "password": DEMO_PASSWORDS[email]}, headers={"Host": host}
            )
            answers.append(r.status_code)
        except httpx.HTTPError as exc:
            answers.append(0)
            print("no answer:", repr(exc))

    threads = [threading.Thread(target=login, args=(c, *a)) for c, a in zip(clients, ACCOUNTS, strict=True)]
    for t in threads:
        t.start()
    sent.set()
    time.sleep(0.1)  # 8 argon2 verifications on 2 workers take longer than this: they are in flight
    gateway = ctl.status()["sogoway"]["pid"]
    terminated = time.monotonic()
    os.kill(gateway, signal.SIGTERM)
    for t in threads:
        t.join(40)
    for c in clients:
        c.close()
    wait_until(
        lambda: (s := ctl.status()["sogoway"])["state"] == "RUNNING" and s["pid"] != gateway, 60, "the gateway back"
    )
    wait_until(lambda: httpx.get(ctl.url("/health"), timeout=5).status_code == 200, 30, "answering again")
    experiment.recoveries.append(time.monotonic() - terminated)
    experiment.requests = IN_FLIGHT
    experiment.acknowledged = answers.count(200)
    experiment.errors_5xx = sum(s >= 500 for s in answers)
    experiment.lost = IN_FLIGHT - answers.count(200)
    experiment.note = f"{answers.count(200)}/{IN_FLIGHT} answered 200 while draining"
    assert answers.count(200) == IN_FLIGHT, answers
