"""Writes racing on two Galera nodes: certification conflicts are retried, unique keys still hold, nodes agree."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from deploy.cluster.topology import Cluster
from tests.cluster.api import Api


def rows_on_every_node(cluster: Cluster, sql: str) -> list[list[list[str]]]:
    return [node.sql(f"SET SESSION wsrep_sync_wait = 1; {sql}", "prokov") for node in cluster.galera.nodes]


def test_one_row_updated_from_both_hosts_at_once(cluster: Cluster, host_a: Api, host_b: Api):
    email = host_a.new_user()
    token = host_a.session(email)["token"]
    created = host_a.call("POST", "/projects", token, json={"name": "contested"})
    assert created.status_code == 201, created.text
    pid = created.json()["data"]["id"]

    def patch(args: tuple[Api, int]) -> int:
        api, i = args
        return api.call("PATCH", f"/projects/{pid}", token, json={"position": i}).status_code

    jobs = [(host_a if i % 2 else host_b, i) for i in range(60)]
    with ThreadPoolExecutor(6) as pool:
        codes = list(pool.map(patch, jobs))
    # every write applied (a lost certification is retried: never a 5xx, never a 409 for a plain update)
    assert codes == [200] * len(jobs)
    finals = rows_on_every_node(cluster, f"SELECT position FROM projects WHERE id = {int(pid)}")
    assert finals[0] == finals[1] == finals[2] and len(finals[0]) == 1


def test_the_same_email_registered_on_both_hosts_at_once_exists_once(cluster: Cluster, host_a: Api, host_b: Api):
    for n in range(6):
        email = f"race{n}-{id(cluster)}@cluster.test"
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda api, e=email: api.register(e)[1], (host_a, host_b)))
        assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409).json()
        assert loser["error"]["code"] == "CONFLICT"
        for rows in rows_on_every_node(cluster, f"SELECT COUNT(*) FROM users WHERE email = '{email}'"):
            assert rows == [["1"]]


def test_ids_from_two_nodes_never_collide(cluster: Cluster, host_a: Api, host_b: Api):
    """Galera interleaves auto-increment values per node: rows created at once on both hosts get distinct ids."""
    token = host_a.session(host_a.new_user())["token"]

    def create(args: tuple[Api, int]) -> int:
        api, i = args
        r = api.call("POST", "/tasks", token, json={"title": f"t{i}"})
        assert r.status_code == 201, r.text
        return int(r.json()["data"]["id"])

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(create, [(host_a if i % 2 else host_b, i) for i in range(40)]))
    assert len(set(ids)) == 40
    listed = host_b.call("GET", "/tasks?limit=500&fields=id", token).json()["data"]
    assert sorted(int(t["id"]) for t in listed) == sorted(ids)
