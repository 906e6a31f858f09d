"""`make bench-cluster`: S1 and S2 through nginx with two gateway hosts on a 3-node Galera cluster, side by side
with one gateway on one MariaDB, in one run (loopback only, bounded durations).

Topologies, the same total of gateway worker processes in each:
  single        one gateway (2 workers, sogoms-db over its socket) on the system MariaDB, wrk straight at it
  single+nginx  the same behind nginx: what the proxy hop costs
  cluster       nginx -> hosts a and b (1 worker each, each with its sogoms-db) -> Galera node1 / node2 (3 nodes)
  cluster, no causal reads   the same with `causal_reads: false`: what waiting for the cluster on each read costs
Plus S3 (create one row: replicated and certified on the cluster) single vs cluster.
On one machine the cluster shares its cores with three MariaDB nodes and twice the services: expect no speed-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import fixture as bp  # noqa: E402
from bench import procs, wrk  # noqa: E402
from bench.run import machine, save  # noqa: E402
from deploy.cluster.nginx import Nginx  # noqa: E402
from deploy.cluster.topology import Cluster  # noqa: E402

HOST = {"Host": "prokov.localhost"}


def login(base: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/auth/login", headers=HOST, json={"email": "ana@prokov.test", "password": "demo1234"})
    r.raise_for_status()
    return {**HOST, "Authorization": f"Bearer {r.json()['data']['token']}"}


def check(base: str, auth: dict[str, str]) -> None:
    """Both topologies answer the same lists before anything is timed (a fast error would be a lie)."""
    body = httpx.get(f"{base}/api/projects", headers=auth, timeout=30).json()
    assert body["success"] and len(body["data"]) == 50, body
    assert body["meta"].get("total", bp.PROJECTS) >= bp.PROJECTS or body["meta"].get("has_more") is True, body
    assert httpx.get(f"{base}/api/projects/1", headers=auth, timeout=30).json()["data"]["name"] == "Roof"


class ClusterBench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.root = Path(tempfile.mkdtemp(prefix="sogoms-bench-cluster-"))
        self.results: dict[str, object] = {
            "machine": machine(),
            "settings": vars(args),
            "load_average_before": os.getloadavg(),
            "runs": {},
        }
        self.procs: list = []

    def log(self, text: str) -> None:
        print(text, flush=True)

    def run(self, key: str, base: str, path: str, auth: dict[str, str], body: dict | None = None) -> wrk.Result:
        r = wrk.run(key, base + path, seconds=self.a.seconds, connections=self.a.connections, headers=auth, body=body)
        self.results["runs"][key] = r.__dict__  # type: ignore[index]
        self.log("  " + r.row())
        return r

    def single(self) -> tuple[str, str, bp.BenchPlatform]:
        """One gateway (2 workers) with sogoms-db and sogoms-logs on a fresh database of the system MariaDB."""
        p = bp.create(self.root / "single")
        for name in ("logs", "db"):
            env = p.env("ipc")
            proc = procs.start([str(bp.BIN / f"sogoms-{name}")], env, p.root / "out" / f"sogoms-{name}.out")
            self.procs.append(proc)
            sock = Path(env["SOGOMS_RUN_DIR"]) / f"sogoms-{name}.1.sock"
            procs.wait_until(lambda s=sock: procs.socket_open(s), proc, name)
        port = procs.free_port()
        env = p.env("ipc", SOGOWAY_DB_TRANSPORT="ipc", SOGOWAY_LOGS_TRANSPORT="ipc")
        gw = procs.start(
            [str(bp.BIN / "sogoway"), "--port", str(port), "--workers", "2"], env, p.root / "out" / "gw.out"
        )
        self.procs.append(gw)
        procs.wait_until(lambda: procs.port_open(port), gw, "sogoway")
        nginx = Nginx(self.root / "single-nginx", procs.free_port(), procs.free_port())
        nginx.start([port], [port])
        self.single_nginx = nginx
        return f"http://127.0.0.1:{port}", f"http://127.0.0.1:{nginx.http_port}", p

    def cluster(self) -> Cluster:
        c = self.galera = Cluster(self.root / "cluster", workers=1)  # kept before `up`: stopped even if it fails
        took = c.up(say=lambda t: self.log(f"bench: {t}"))
        self.results["cluster_up_s"] = {k: round(v, 1) for k, v in took.items()}
        rows = ", ".join(f"(1, 'Project {n}', 'Bench project number {n}', {n})" for n in range(4, bp.PROJECTS + 2))
        c.galera.nodes[0].sql(f"INSERT INTO projects (user_id, name, description, position) VALUES {rows}", "prokov")
        return c

    def causal_reads(self, c: Cluster, on: bool) -> None:
        path = c.root / "config" / "apps" / "prokov" / "app.yaml"
        doc = yaml.safe_load(path.read_text())
        doc["database"]["causal_reads"] = on
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        for host in c.hosts:
            assert host.sogoctl("reload", "sogoms-db").returncode == 0
        time.sleep(2)

    def main(self) -> dict[str, object]:
        self.log(f"bench: everything under {self.root}")
        c: Cluster
        self.galera: Cluster | None = None
        p = None
        try:
            direct, via_nginx, p = self.single()
            c = self.cluster()
            single_auth, cluster_auth = login(direct), login(c.url())
            for base, auth in ((direct, single_auth), (via_nginx, single_auth), (c.url(), cluster_auth)):
                check(base, auth)
            self.log(f"bench: {self.a.seconds:.0f} s per run, {self.a.connections} connections")
            runs: dict[str, dict[str, wrk.Result]] = {}
            topologies = [("single", direct, single_auth), ("single+nginx", via_nginx, single_auth),
                          ("cluster", c.url(), cluster_auth)]  # fmt: skip
            for label, base, auth in topologies:
                runs[label] = {
                    "S1": self.run(f"S1 list 50 {label}", base, "/api/projects", auth),
                    "S2": self.run(f"S2 show 1 {label}", base, "/api/projects/1", auth),
                }
            self.causal_reads(c, False)
            runs["cluster, no causal reads"] = {
                "S1": self.run("S1 list 50 cluster, no causal reads", c.url(), "/api/projects", cluster_auth),
                "S2": self.run("S2 show 1 cluster, no causal reads", c.url(), "/api/projects/1", cluster_auth),
            }
            self.causal_reads(c, True)
            body = {"name": "bench row", "description": "written by the cluster bench"}
            s3 = {
                "single": self.run("S3 create single", direct, "/api/projects", single_auth, body),
                "cluster": self.run("S3 create cluster", c.url(), "/api/projects", cluster_auth, body),
            }
        finally:
            for proc in self.procs:
                procs.stop(proc)
            if hasattr(self, "single_nginx"):
                self.single_nginx.stop()
            if self.galera is not None:
                self.galera.down(remove=True)
            if p is not None:
                bp.drop(p)
            shutil.rmtree(self.root, ignore_errors=True)
        ratios: dict[str, float] = {}
        for s in ("S1", "S2"):
            ratios[f"{s} cluster via nginx vs single direct"] = runs["cluster"][s].rps / runs["single"][s].rps
            ratios[f"{s} cluster via nginx vs single via nginx"] = runs["cluster"][s].rps / runs["single+nginx"][s].rps
            ratios[f"{s} single via nginx vs direct (proxy hop)"] = runs["single+nginx"][s].rps / runs["single"][s].rps
            ratios[f"{s} causal reads on vs off (cluster)"] = (
                runs["cluster"][s].rps / runs["cluster, no causal reads"][s].rps
            )
        ratios["S3 create cluster vs single"] = s3["cluster"].rps / s3["single"].rps
        self.results["ratios"] = ratios
        self.results["load_average_after"] = os.getloadavg()
        return self.results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=8.0, help="duration of each wrk run")
    ap.add_argument("--connections", type=int, default=32)
    results = ClusterBench(ap.parse_args()).main()
    lines = ["", "SOGOMS cluster bench", f"machine: {results['machine']}"]
    lines.append(f"load average before {results['load_average_before']}, after {results['load_average_after']}")
    lines += ["", "ratios:"]
    lines += [f"  {k:<48} {v:6.3f}" for k, v in results["ratios"].items()]  # type: ignore[union-attr]
    save(results, "\n".join(lines), prefix="cluster-")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("SOGOMS_LOG_LEVEL", "WARNING")
    sys.exit(main())
