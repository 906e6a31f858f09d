"""Two sogoms-cron instances (one per host, each on its own Galera node): every firing runs exactly once."""

from __future__ import annotations

import asyncio
import itertools
import time

from adapters.ipc.client import IpcClient
from deploy.cluster.topology import Cluster
from tests.cluster.conftest import PROBE_JOB, CronProbe
from tests.cluster.findings import FINDINGS

FIRINGS = 2


def runs(cluster: Cluster) -> list[list[str]]:
    return cluster.galera.nodes[2].sql(  # node3: neither host's own node
        "SET SESSION wsrep_sync_wait = 1; SELECT scheduled_for, status, owner FROM sogoms_cron_runs "
        f"WHERE job = '{PROBE_JOB}' ORDER BY scheduled_for",
        "prokov",
    )


async def jobs_of(cluster: Cluster) -> list[set[str]]:
    """The job names each host's sogoms-cron has scheduled."""
    found = []
    for host in cluster.hosts:
        client = IpcClient(host.run_dir / "sogoms-cron.1.sock", timeout=10)
        try:
            found.append({job["name"] for job in await client.call("list", {"app_id": "prokov"})})
        finally:
            await client.close()
    return found


def test_each_firing_of_a_job_runs_once_across_two_hosts(cluster: Cluster, cron_probe: CronProbe):
    assert all(PROBE_JOB in jobs for jobs in asyncio.run(jobs_of(cluster)))  # both instances compete for it
    deadline = cron_probe["since"] + 60 * (FIRINGS + 1) + 20
    while len([r for r in runs(cluster) if r[1] != "running"]) < FIRINGS:
        assert time.time() < deadline, f"fewer than {FIRINGS} firings finished: {runs(cluster)}"
        time.sleep(2)
    time.sleep(3)  # the slower instance's tick of the same minute has come and gone
    done = runs(cluster)
    hits = cron_probe["hits"]
    scheduled = [int(r[0]) for r in done]
    assert len(scheduled) == len(set(scheduled))  # one run per firing (the claim is unique on every node)...
    assert [r[1] for r in done] == ["success"] * len(done), done
    assert len(hits) == len(done)  # ...and the job really ran once per firing: one request each, not two
    assert all(b - a == 60 for a, b in itertools.pairwise(scheduled)), scheduled
    FINDINGS.append(f"cron: {len(done)} firings, each run once, by {sorted({r[2] for r in done})}")
