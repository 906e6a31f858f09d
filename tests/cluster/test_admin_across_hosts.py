"""The admin UI on two hosts: a session opened on one works on the other, and a logout ends it on both."""

from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from deploy.cluster.topology import Cluster
from entrypoints.admin.urls import AdminUrls
from tests.cluster.api import client_address

URLS = AdminUrls()  # the admin's pages under its default base path


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def test_admin_session_is_shared_by_both_hosts_and_logout_ends_it_everywhere(cluster: Cluster):
    a, b = (f"http://127.0.0.1:{h.admin_port}" for h in cluster.hosts)
    with httpx.Client(timeout=15) as browser:  # one cookie jar, as a browser behind a load balancer would have
        page = browser.get(f"{a}{URLS.login}")
        signed_in = browser.post(
            f"{b}{URLS.login}",  # the form comes from host a, the sign-in lands on host b
            data={"_csrf": csrf_of(page.text), "username": "admin", "password": cluster.admin_password},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303, signed_in.text
        assert signed_in.headers["location"] == URLS("/")
        home_a = browser.get(f"{a}{URLS('/')}", follow_redirects=False)
        assert home_a.status_code == 200 and "admin" in home_a.text
        home_b = browser.get(f"{b}{URLS('/')}", follow_redirects=False)
        assert home_b.status_code == 200

        out = browser.post(f"{a}{URLS('/logout')}", data={"_csrf": csrf_of(home_a.text)}, follow_redirects=False)
        assert out.status_code == 303
        for host in (a, b):
            assert browser.get(f"{host}{URLS('/')}", follow_redirects=False).status_code == 303


def test_admin_sign_in_through_nginx_takes_turns_between_hosts(cluster: Cluster):
    with httpx.Client(base_url=cluster.admin_url(), timeout=15) as browser:
        page = browser.get(URLS.login)
        r = browser.post(
            URLS.login,
            data={"_csrf": csrf_of(page.text), "username": "admin", "password": cluster.admin_password},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        # nginx alternates the hosts: every page of the session is served, whichever host answers
        assert [browser.get(URLS("/"), follow_redirects=False).status_code for _ in range(6)] == [200] * 6


def test_twenty_admin_sign_ins_at_once_on_two_hosts_check_at_most_five(cluster: Cluster):
    """The admin's sign-in limit (5 failures a minute per address) is one row of the cluster, whatever host."""
    address = client_address()
    hosts = [f"http://127.0.0.1:{h.admin_port}" for h in cluster.hosts]
    barrier = threading.Barrier(20)

    def sign_in(n: int) -> int:
        with httpx.Client(base_url=hosts[n % 2], timeout=30, headers={"X-Forwarded-For": address}) as c:
            form = {"_csrf": csrf_of(c.get(URLS.login).text), "username": "admin", "password": f"guess number {n}"}
            barrier.wait(30)
            return c.post(URLS.login, data=form).status_code

    with ThreadPoolExecutor(20) as pool:
        assert Counter(pool.map(sign_in, range(20))) == Counter({401: 5, 429: 15})
