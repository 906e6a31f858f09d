"""Every rate limit holds when the attempts arrive at once on two gateway workers: each attempt is reserved in the
database before its argon2 work, so at most the limit get checked and the rest get 429 without being hashed."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Iterator

import argon2
import httpx
import pytest

from adapters.config.admin_users import YamlAdminUsers
from adapters.sql.database import SqlAlchemyDatabase
from domain.admin import AdminUser, Role
from entrypoints.admin.urls import AdminUrls
from tests.support.platform import Platform
from tests.support.processes import free_port, start, stop, wait_for_port

from .conftest import Workers, in_parallel

PROKOV = {"Host": "prokov.localhost"}
ADMIN = AdminUrls()  # the admin's pages under its default base path


def events(workers: Workers, name: str) -> int:
    """How many `name` events the app's log holds (one per login the gateway really checked)."""
    count = 0
    for path in workers.platform.paths.logs.glob("prokov-*-event*.log"):
        count += sum(json.loads(line).get("event") == name for line in path.read_text().splitlines() if line)
    return count


def test_thirty_parallel_wrong_passwords_on_one_account_check_at_most_five(two_workers: Workers) -> None:
    def guess(n: int, go) -> int:
        with two_workers.client() as c:
            go()
            body = {"email": "ben@prokov.test", "password": f"guess number {n}"}
            return c.post("/api/auth/login", headers=PROKOV, json=body).status_code

    codes = Counter(in_parallel(30, guess))
    assert codes == Counter({401: 5, 429: 25}), codes
    assert events(two_workers, "login_failed") == 5  # five passwords were checked, not thirty
    with two_workers.client() as c:  # the right password waits for the window too
        r = c.post("/api/auth/login", headers=PROKOV, json={"email": "ben@prokov.test", "password": "demo1234"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_twenty_five_parallel_sign_ups_from_one_address_create_at_most_ten_accounts(two_workers: Workers) -> None:
    def sign_up(n: int, go) -> int:
        with two_workers.client() as c:
            go()
            body = {"email": f"burst{n}@prokov.test", "name": f"Burst {n}", "password": "long-enough-1"}
            return c.post("/api/auth/register", headers=PROKOV, json=body).status_code

    codes = Counter(in_parallel(25, sign_up))
    assert codes == Counter({201: 10, 429: 15}), codes

    async def accounts() -> int:
        db = SqlAlchemyDatabase(two_workers.platform.paths.secrets)
        from adapters.config.apps import YamlAppRepository

        repo = YamlAppRepository(two_workers.platform.paths.config, two_workers.platform.paths.secrets)
        await db.configure(
            {"prokov": repo.load_settings(two_workers.platform.paths.config / "apps" / "prokov").database}
        )
        try:
            row = await db.query_one("prokov", "SELECT COUNT(*) AS n FROM users WHERE email LIKE 'burst%'", {})
            return int(row["n"]) if row else 0
        finally:
            await db.close()

    assert asyncio.run(accounts()) == 10


def test_parallel_logins_of_many_accounts_from_one_address_stop_at_the_address_limit(two_workers: Workers) -> None:
    def guess(n: int, go) -> int:
        with two_workers.client() as c:
            go()
            body = {"email": f"nobody{n}@prokov.test", "password": "guess"}
            return c.post("/api/auth/login", headers=PROKOV, json=body).status_code

    codes = Counter(in_parallel(28, guess))
    assert codes == Counter({401: 20, 429: 8}), codes


@pytest.fixture
def two_admin_hosts(platform: Platform) -> Iterator[list[str]]:
    """Two sogoms-admin processes sharing one state database (sessions and sign-in counters), as behind a load
    balancer; the account's hash has the production argon2 profile, so each check costs what it costs in real life."""
    asyncio.run(
        YamlAdminUsers(platform.paths.secrets / "admin_users.yaml").save(
            AdminUser("boss", argon2.PasswordHasher(time_cost=2, memory_cost=19456).hash("boss-1"), Role.SUPER_ADMIN)
        )
    )
    env = {**platform.env, "SOGOMS_ADMIN_SECURE_COOKIE": "false", "SOGOMS_ADMIN_LOGS": "inproc"}
    if platform.backend == "mariadb":
        env["SOGOMS_ADMIN_STATE_DB"] = platform.urls["prokov"]
    ports = [free_port(), free_port()]
    procs = []
    try:
        for i, port in enumerate(ports):
            log = platform.paths.logs / f"sogoms-admin-{i}.out"
            procs.append(start("sogoms-admin", "--port", str(port), env=env, log=log))
            wait_for_port(port, proc=procs[-1], timeout=30)
        yield [f"http://127.0.0.1:{p}" for p in ports]
    finally:
        for proc in procs:
            stop(proc)


def test_twenty_parallel_admin_sign_ins_on_two_hosts_check_at_most_five(two_admin_hosts: list[str]) -> None:
    def sign_in(n: int, go) -> int:
        with httpx.Client(base_url=two_admin_hosts[n % 2], timeout=30) as c:
            csrf = re.search(r'name="_csrf" value="([^"]+)"', c.get(ADMIN.login).text)
            assert csrf is not None
            form = {"_csrf": csrf.group(1), "username": "boss", "password": f"guess number {n}"}
            go()
            return c.post(ADMIN.login, data=form).status_code

    codes = Counter(in_parallel(20, sign_in))
    assert codes == Counter({401: 5, 429: 15}), codes
