"""One cluster for the whole session: 3 Galera nodes, hosts a (node1) and b (node2), nginx in front.

Runs only under `make test-cluster` (SOGOMS_TEST_CLUSTER=1), where a missing galera-4 or nginx is a failure, not a
skip. SOGOMS_TEST_CLUSTER_DIR=var/cluster reuses a cluster started by `make cluster-up` (and leaves it running).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TypedDict

import pytest
import yaml

from deploy.cluster.galera import missing_tools
from deploy.cluster.nginx import nginx_binary
from deploy.cluster.topology import Cluster
from tests.cluster.api import Api
from tests.cluster.findings import FINDINGS

HERE = Path(__file__).resolve().parent
ENABLED = bool(os.environ.get("SOGOMS_TEST_CLUSTER"))
LAST = ("test_node_failure.py",)  # kills a node: after everything else
PROBE_JOB = "cluster_probe"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    mine = [i for i in items if HERE in Path(str(i.fspath)).parents]
    skip = pytest.mark.skip(reason="the cluster suite runs with `make test-cluster` (3 Galera nodes, 2 hosts, nginx)")
    for item in mine:
        item.add_marker(pytest.mark.cluster)
        if not ENABLED:
            item.add_marker(skip)
    items.sort(key=lambda i: i in mine and Path(str(i.fspath)).name in LAST)


def pytest_terminal_summary(terminalreporter) -> None:
    for line in FINDINGS:
        terminalreporter.write_line(f"cluster: {line}")


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    reuse = os.environ.get("SOGOMS_TEST_CLUSTER_DIR")
    if reuse:
        yield Cluster.load(Path(reuse))
        return
    missing = missing_tools() + ([] if nginx_binary() else ["nginx-light"])
    if missing:
        pytest.fail(f"the cluster suite needs: apt-get install -y {' '.join(missing)}")
    c = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        took = c.up()
        FINDINGS.append("up in " + ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))
        yield c
    finally:
        c.down(remove=False)


class Probe(BaseHTTPRequestHandler):
    """Records every request a cron `http` job makes."""

    hits: list[float] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Probe.hits.append(time.time())
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class CronProbe(TypedDict):
    since: float  # when the job was added
    hits: list[float]  # when each of its requests arrived


@pytest.fixture(scope="session", autouse=True)
def cron_probe(cluster: Cluster) -> Iterator[CronProbe]:
    """An every-minute `http` job added to prokov's cron.yaml on the hosts' shared config, both sogoms-cron
    reloaded (as an operator would), early in the session so its firings accumulate while other tests run."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Probe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = cluster.root / "config" / "apps" / "prokov" / "cron.yaml"
    original = path.read_text()
    doc = yaml.safe_load(original)
    doc["jobs"][PROBE_JOB] = {
        "schedule": "* * * * *",
        "type": "http",
        "method": "POST",
        "url": f"http://127.0.0.1:{server.server_address[1]}/tick",
        "allow_private": True,
        "body": {"from": "cron"},
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    for host in cluster.hosts:
        assert host.sogoctl("reload", "sogoms-cron").returncode == 0
    try:
        yield {"since": time.time(), "hits": Probe.hits}
    finally:
        path.write_text(original)
        for host in cluster.hosts:
            host.sogoctl("reload", "sogoms-cron")
        server.shutdown()


@pytest.fixture(scope="session")
def via_nginx(cluster: Cluster) -> Api:
    return Api(cluster.url(), "prokov.localhost")


@pytest.fixture(scope="session")
def host_a(cluster: Cluster) -> Api:
    return Api(cluster.hosts[0].url(), "prokov.localhost")


@pytest.fixture(scope="session")
def host_b(cluster: Cluster) -> Api:
    return Api(cluster.hosts[1].url(), "prokov.localhost")
