"""Two sogoms-smtp instances (one per host) share the outbox on the cluster: each message is delivered once."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from email.parser import BytesParser
from email.policy import default
from pathlib import Path

from adapters.ipc.client import IpcClient
from adapters.ipc.mail import IpcMailer
from deploy.cluster.topology import Cluster
from tests.cluster.findings import FINDINGS

MESSAGES = 40


async def queue(cluster: Cluster, tag: str) -> list[str]:
    """Half of the messages through host a's sogoms-smtp, half through host b's."""
    mailers = [IpcMailer(IpcClient(h.run_dir / "sogoms-smtp.1.sock", timeout=15)) for h in cluster.hosts]
    try:
        queued = await asyncio.gather(
            *(
                mailers[i % 2].send("prokov", f"user{i}@cluster.test", f"{tag} #{i}", f"message {i} of {tag}")
                for i in range(MESSAGES)
            )
        )
    finally:
        for m in mailers:
            await m.close()
    return [q.message_id for q in queued]


def received(folder: Path, ids: set[str]) -> Counter[str]:
    seen: Counter[str] = Counter()
    for eml in folder.glob("*.eml") if folder.exists() else ():
        mid = str(BytesParser(policy=default).parsebytes(eml.read_bytes(), headersonly=True)["Message-ID"] or "")
        if mid in ids:
            seen[mid] += 1
    return seen


def _deliver_round(cluster: Cluster) -> Counter[str]:
    """Queue MESSAGES (half per host), wait until each is delivered exactly once; the senders that delivered them."""
    tag = f"outbox-{time.time_ns()}"
    ids = asyncio.run(queue(cluster, tag))
    assert len(set(ids)) == MESSAGES
    folder = cluster.hosts[0].log_dir / "mail"  # host a's mail catcher: both hosts' SMTP settings point at it
    deadline = time.monotonic() + 90
    while len(received(folder, set(ids))) < MESSAGES:
        assert time.monotonic() < deadline, f"{len(received(folder, set(ids)))} of {MESSAGES} delivered"
        time.sleep(0.5)
    time.sleep(3)  # a second delivery of any of them would land by now
    counts = received(folder, set(ids))
    assert set(counts.values()) == {1}, {k: v for k, v in counts.items() if v != 1}
    quoted = ", ".join(f"'{i}'" for i in ids)
    rows = cluster.galera.nodes[2].sql(
        f"SET SESSION wsrep_sync_wait = 1; SELECT status, claimed_by FROM sogoms_outbox WHERE message_id IN ({quoted})",
        "prokov",
    )
    assert [r[0] for r in rows] == ["sent"] * MESSAGES
    return Counter(r[1].rsplit("-", 1)[0] for r in rows)


def test_each_message_is_delivered_once_by_two_senders(cluster: Cluster):
    # Both hosts' senders race for the same due messages. Which one wins a given round is up to the scheduler (one
    # sender may drain a whole round before the other polls), so up to three rounds are queued: every round must be
    # delivered exactly once, and both senders must have delivered in at least one of them.
    rounds: list[Counter[str]] = []
    for _ in range(3):
        rounds.append(_deliver_round(cluster))
        if len(set().union(*rounds)) == 2:
            break
    senders = sum(rounds, Counter())
    FINDINGS.append(
        f"outbox: {MESSAGES} messages x {len(rounds)} round(s) delivered once each, by {len(senders)} senders "
        f"{sorted(senders.values())}"
    )
    assert len(senders) == 2, rounds  # both hosts' senders took part
