"""The harness is what it says: 3 synced nodes, each host on its own node, nginx spreading requests over both."""

from __future__ import annotations

import re

import httpx

from deploy.cluster.topology import Cluster
from tests.cluster.api import Api


def served(host_url: str) -> float:
    """Requests a gateway has answered so far (its Prometheus counter)."""
    text = httpx.get(f"{host_url}/metrics", timeout=10).text
    return sum(
        float(m) for m in re.findall(r'^sogoms_http_requests_total\{[^}]*route="/_schema[^}]*\} (\S+)$', text, re.M)
    )


def test_three_synced_nodes_and_each_host_on_its_own(cluster: Cluster):
    for node in cluster.galera.nodes:
        status = node.status()
        assert status["wsrep_local_state_comment"] == "Synced" and status["wsrep_cluster_size"] == "3"
    a, b = cluster.hosts
    assert a.node != b.node
    assert {a.node, *a.failover} == {b.node, *b.failover} == {n.ports.sql for n in cluster.galera.nodes}


def test_nginx_spreads_requests_over_both_gateways(cluster: Cluster, via_nginx: Api):
    before = [served(h.url()) for h in cluster.hosts]
    for _ in range(20):
        assert via_nginx.call("GET", "/_schema").status_code in (200, 401)
    after = [served(h.url()) for h in cluster.hosts]
    got = [round(y - x) for x, y in zip(before, after, strict=True)]
    assert sum(got) == 20 and min(got) >= 5, got
