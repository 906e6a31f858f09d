"""Auth state shared by two hosts on two Galera nodes: logout, refresh rotation and replay, login limits."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from deploy.cluster.topology import Cluster
from tests.cluster.api import Api, client_address
from tests.cluster.findings import FINDINGS


def refused_within(api: Api, token: str, since: float, limit: float = 3.0) -> float:
    """Ask `api` for /me with `token` until it is refused; seconds after `since` at which the first refused
    request was *sent*. Every request sent later must be refused too."""
    first = None
    deadline = since + limit
    while time.monotonic() < deadline:
        sent = time.monotonic()
        status = api.me(token)
        assert status in (200, 401), status
        if status == 401 and first is None:
            first = sent - since
        elif status == 200:
            assert first is None, "accepted again after being refused"
        if first is not None and time.monotonic() - since > first + 0.3:
            return first
        time.sleep(0.02)
    assert first is not None, f"still accepted {limit} s after the logout"
    return first


@pytest.mark.parametrize("direction", ["a->b", "b->a"])
def test_logout_on_one_host_is_refused_on_the_other_within_a_second(host_a: Api, host_b: Api, direction: str):
    one, other = (host_a, host_b) if direction == "a->b" else (host_b, host_a)
    token = one.session(one.new_user())["token"]
    assert other.me(token) == 200  # the other host knows and accepts it (and keeps it as verified)
    assert one.call("POST", "/auth/logout", token).status_code == 200
    after = refused_within(other, token, time.monotonic())
    FINDINGS.append(f"logout on host {direction[0]} refused on host {direction[-1]} {after * 1000:.0f} ms later")
    assert after < 1.0


def test_refresh_token_replayed_on_the_other_host_kills_the_family(host_a: Api, host_b: Api):
    s = host_a.session(host_a.new_user())
    first = s["refresh_token"]
    r = host_a.call("POST", "/auth/refresh", json={"refresh_token": first})
    assert r.status_code == 200, r.text
    rotated, access = r.json()["data"]["refresh_token"], r.json()["data"]["token"]
    assert host_b.me(access) == 200

    replay = host_b.call("POST", "/auth/refresh", json={"refresh_token": first})
    assert replay.status_code == 401, replay.text
    # the whole family is revoked: the rotated refresh token on either host, its access token everywhere
    assert host_a.call("POST", "/auth/refresh", json={"refresh_token": rotated}).status_code == 401
    assert host_b.call("POST", "/auth/refresh", json={"refresh_token": rotated}).status_code == 401
    since = time.monotonic()
    assert refused_within(host_a, access, since) < 1.0
    assert refused_within(host_b, access, since) < 1.0


def test_one_refresh_token_presented_on_both_hosts_at_once_leaves_no_live_session(host_a: Api, host_b: Api):
    """Both hosts get the same refresh token at the same moment: at most one claims it, the other sees a replay
    and revokes the family; whatever the interleaving across the two nodes, nothing of that family stays usable."""
    email = host_a.new_user()
    outcomes: list[list[int]] = []
    with ThreadPoolExecutor(2) as pool:
        for _ in range(8):
            token = host_a.session(email)["refresh_token"]
            answers = list(
                pool.map(
                    lambda api, t=token: api.call("POST", "/auth/refresh", json={"refresh_token": t}), (host_a, host_b)
                )
            )
            codes = sorted(a.status_code for a in answers)
            outcomes.append(codes)
            assert codes in ([200, 401], [401, 401]), [a.text for a in answers]
            since = time.monotonic()
            for winner in (a.json()["data"] for a in answers if a.status_code == 200):
                for api in (host_a, host_b):
                    assert (
                        api.call("POST", "/auth/refresh", json={"refresh_token": winner["refresh_token"]}).status_code
                        == 401
                    )
                    assert refused_within(api, winner["token"], since) < 1.0
    FINDINGS.append(f"one refresh token on both hosts at once, 8 times: {outcomes}")


def in_parallel(count: int, attempt: Callable[[int], int]) -> Counter[int]:
    """`attempt(n)` for n in 0..count-1 from `count` threads released at the same moment; the statuses."""
    barrier = threading.Barrier(count)

    def run(n: int) -> int:
        barrier.wait(30)
        return attempt(n)

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(run, range(count)))


def test_thirty_wrong_passwords_at_once_on_two_hosts_check_at_most_five(host_a: Api, host_b: Api):
    """The per-account limit (5 failures a minute) is reserved in the database before the argon2 work: attempts
    racing on two hosts, each on its own Galera node, still get five checks between them."""
    email = host_a.new_user()
    address = client_address()

    def guess(n: int) -> int:
        api = (host_a, host_b)[n % 2]
        return api.login(email, f"guess number {n}", headers={"X-Forwarded-For": address}).status_code

    assert in_parallel(30, guess) == Counter({401: 5, 429: 25})
    for api in (host_a, host_b):  # the right password waits for the window too, on either host
        r = api.login(email, headers={"X-Forwarded-For": client_address()})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_twenty_five_sign_ups_at_once_from_one_address_on_two_hosts_create_ten(
    cluster: Cluster, host_a: Api, host_b: Api
):
    address, tag = client_address(), uuid.uuid4().hex[:8]

    def sign_up(n: int) -> int:
        api = (host_a, host_b)[n % 2]
        body = {"email": f"burst{n}-{tag}@cluster.test", "name": f"Burst {n}", "password": "long-enough-1"}
        return api.call("POST", "/auth/register", json=body, headers={"X-Forwarded-For": address}).status_code

    assert in_parallel(25, sign_up) == Counter({201: 10, 429: 15})
    count = cluster.galera.nodes[2].sql(
        f"SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM users WHERE email LIKE 'burst%-{tag}@cluster.test'",
        "prokov",
    )
    assert count == [["10"]]
