"""/metrics on a real sogoway with 2 workers: every worker counted, route templates only, IPC, pool, logins."""

from __future__ import annotations

import threading

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.processes import start, stop, wait_for_socket


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(all_samples, name: str, **labels: str) -> float:
    return all_samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def stale_metrics(platform):
    folder = platform.paths.run / "metrics-sogoway"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "counter_999999.db").write_bytes(b"left over by a previous run")
    return folder


def test_metrics_add_up_every_worker(platform, stale_metrics, services, sogoway):
    assert not (stale_metrics / "counter_999999.db").exists()  # cleaned at start
    token = sogoway.token("ana@prokov.test")
    auth = {"Host": "prokov.localhost", "Authorization": f"Bearer {token}"}

    def burst() -> None:
        for n in range(25):  # a new connection each time, so both workers take requests
            r = httpx.get(f"{sogoway.url}/api/projects/{1 + n % 2}", headers=auth)
            assert r.status_code == 200

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for _ in range(3):
        r = httpx.post(
            f"{sogoway.url}/api/auth/login",
            headers={"Host": "prokov.localhost"},
            json={"email": "ana@prokov.test", "password": "wrong"},
        )
        assert r.status_code == 401
    assert httpx.get(f"{sogoway.url}/api/projects", headers={**auth, "Host": "nobody.test"}).status_code == 404

    stop(services["db"])
    assert httpx.get(f"{sogoway.url}/api/projects", headers=auth).status_code == 503
    services["db"] = start("sogoms-db", env=platform.env, log=platform.paths.logs / "sogoms-db.2.out")
    wait_for_socket(platform.paths.socket("db"), proc=services["db"])

    r = httpx.get(f"{sogoway.url}/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    assert "/api/projects/" not in r.text and "projects/1" not in r.text  # no raw path, no id
    got = samples(r.text)
    # both workers wrote values, and /metrics added them up
    assert len({p.name.split("_")[-1] for p in stale_metrics.glob("counter_*.db")}) == 2
    show = {"app": "prokov", "route": "/{resource}/{id}", "method": "GET"}
    assert value(got, "sogoms_http_requests_total", **show, status="200") == 100
    assert value(got, "sogoms_http_request_duration_seconds_count", **show) == 100
    assert value(got, "sogoms_http_request_duration_seconds_bucket", **show, le="+Inf") == 100
    assert value(got, "sogoms_login_failures_total", app="prokov", reason="invalid_credentials") == 3
    login = {"app": "prokov", "route": "/auth/login", "method": "POST"}
    assert value(got, "sogoms_http_requests_total", **login, status="401") == 3
    assert value(got, "sogoms_http_requests_total", app="_unknown", route="other", method="GET", status="404") == 1
    assert value(got, "sogoms_http_requests_total", app="prokov", route="/{resource}", method="GET", status="503") == 1
    assert value(got, "sogoms_ipc_calls_total", service="sogoms-db", action="query_one") >= 100
    assert value(got, "sogoms_ipc_calls_total", service="sogoms-logs", action="log_event") >= 3
    assert value(got, "sogoms_ipc_errors_total", service="sogoms-db", action="query", code="SERVICE_UNAVAILABLE") >= 1
    assert value(got, "sogoms_db_up", app="prokov") == 1
    assert value(got, "sogoms_db_pool_connections", app="prokov", state="size") >= 1
