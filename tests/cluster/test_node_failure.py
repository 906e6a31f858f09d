"""A Galera node killed -9 under write load: writes go on, no acknowledged write is lost, the node rejoins.

Host a talks to node1 first. Writers create rows through nginx (both hosts) and straight at host a while node1
is killed, then started again (it recovers its position and catches up by IST). Every row a client was told was
created (201 and its id) must then be on all three nodes; a write that got no answer, or 503, may or may not be.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

import httpx

from deploy.cluster.topology import Cluster
from tests.cluster.api import Api
from tests.cluster.findings import FINDINGS

BEFORE, DURING, AFTER = 3.0, 10.0, 3.0  # seconds of load before the kill, node down, after it rejoined


@dataclass
class Write:
    via: str
    name: str
    sent: float
    done: float
    status: int  # 0: no answer (connection error or timeout)
    id: int | None = None


def writer(api: Api, via: str, token: str, tag: str, stop: threading.Event, out: list[Write]) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        name = f"{tag}-{via}-{n}"
        sent = time.monotonic()
        try:
            r = api.call("POST", "/projects", token, json={"name": name}, timeout=10)
            status, rid = r.status_code, (r.json()["data"]["id"] if r.status_code == 201 else None)
        except httpx.HTTPError:
            status, rid = 0, None
        out.append(Write(via, name, sent, time.monotonic(), status, rid))


def test_a_node_cut_off_from_the_cluster_is_left_for_one_in_the_primary_component(cluster: Cluster, host_a: Api):
    """A partition: node1 still runs but is alone, outside the primary component, refusing every statement (1047)
    before running it. Host a, on node1, moves to another node without one failed request; node1 then rejoins."""
    node1 = cluster.galera.node("node1")
    token = host_a.session(host_a.new_user())["token"]
    tag = f"cut{uuid.uuid4().hex[:6]}"
    node1.sql("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=1'")
    try:
        deadline = time.monotonic() + 30
        while node1.status().get("wsrep_cluster_status") == "Primary":
            assert time.monotonic() < deadline, "node1 still in the primary component"
            time.sleep(0.2)
        codes = [host_a.call("POST", "/projects", token, json={"name": f"{tag}-{n}"}).status_code for n in range(10)]
        assert codes == [201] * 10  # the statements node1 refused had not run: sent again to node2, never a 503
        listed = host_a.call("GET", f"/projects?name[like]={tag}%25&limit=50", token).json()["data"]
        assert len(listed) == 10
    finally:
        node1.sql("SET GLOBAL wsrep_provider_options = 'gmcast.isolate=0'")
    node1.wait_synced(timeout=120)
    rows = node1.sql(
        f"SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM projects WHERE name LIKE '{tag}-%'", "prokov"
    )
    assert rows == [["10"]]  # back in the cluster, it has what was written without it


def test_a_node_killed_under_load_loses_no_acknowledged_write(cluster: Cluster, via_nginx: Api, host_a: Api):
    token = via_nginx.session(via_nginx.new_user())["token"]
    tag = f"kill{uuid.uuid4().hex[:6]}"
    node1 = cluster.galera.node("node1")
    stop, writes = threading.Event(), list[Write]()
    threads = [
        threading.Thread(target=writer, args=(api, via, token, tag, stop, writes))
        for api, via in ((via_nginx, "nginx1"), (via_nginx, "nginx2"), (via_nginx, "nginx3"), (host_a, "a"))
    ]
    for t in threads:
        t.start()
    try:
        time.sleep(BEFORE)
        killed = time.monotonic()
        node1.kill()
        time.sleep(DURING)
        restarted = time.monotonic()
        node1.start()
        rejoin = node1.wait_synced(timeout=180)
        time.sleep(AFTER)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        if not node1.running:
            node1.start()
            node1.wait_synced(timeout=180)
        cluster.save()  # node1's new pid, for whoever stops the cluster

    acked = {w.id: w.name for w in writes if w.status == 201}
    assert len(acked) == len([w for w in writes if w.status == 201])  # distinct ids
    assert {w.status for w in writes} <= {201, 503, 0}, sorted({w.status for w in writes})
    on_nodes: list[dict[int | None, str]] = []
    for node in cluster.galera.nodes:
        rows = node.sql(
            f"SET SESSION wsrep_sync_wait = 1; SELECT id, name FROM projects WHERE name LIKE '{tag}-%'", "prokov"
        )
        on_nodes.append({int(i): n for i, n in rows})
    lost = {i: n for i, n in acked.items() if on_nodes[0].get(i) != n}
    assert lost == {}, f"{len(lost)} acknowledged writes lost"
    assert on_nodes[0] == on_nodes[1] == on_nodes[2]  # every node, node1 included after its IST, has the same rows
    assert len(set(on_nodes[0].values())) == len(on_nodes[0])  # and no write was made twice

    # writes went on while node1 was down: through nginx, and through host a once it had moved to another node
    down = [w for w in writes if killed < w.sent and w.done < restarted]
    assert any(w.status == 201 and w.via.startswith("nginx") for w in down)
    back = min((w.done for w in writes if w.via == "a" and w.status == 201 and w.sent > killed), default=None)
    assert back is not None and back < restarted, "host a never wrote again while node1 was down"
    failed = [w for w in writes if w.status != 201]
    slowest = max(w.done - w.sent for w in writes if w.sent > killed and w.done < restarted)
    FINDINGS.append(
        f"node1 killed -9 under load: {len(acked)} writes acknowledged, 0 lost, {len(failed)} refused "
        f"({sum(w.status == 503 for w in failed)} x 503, {sum(w.status == 0 for w in failed)} without answer); "
        f"host a writing again {back - killed:.1f} s after the kill (slowest write {slowest:.1f} s); "
        f"node1 synced again {rejoin:.1f} s after its start"
    )
