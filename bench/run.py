"""`make bench`: SPEC section 11's ratios, measured side by side in one run (loopback only, bounded durations).

Starts everything it needs on a fresh MariaDB database: sogoms-db, sogoms-logs, sogoway over the sockets and
sogoway in-process, a hello-world Litestar app and a hand-written Litestar + asyncmy + msgspec app, all on the
same server code and settings and the same worker count. Prints the figures and writes them to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as pyplatform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import fixture as bp  # noqa: E402
from bench import procs, wrk  # noqa: E402

PY = sys.executable
# both gateways share the database, so the per-address login limit (20 attempts at once): the logins still in
# flight in one when wrk stops would be refused 429 in the other's run without this pause
SETTLE = 2.0
HOST = {"Host": "prokov.localhost"}


def machine() -> dict[str, object]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next(int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem / 1024 / 1024, 1),
        "python": pyplatform.python_version(),
        "kernel": pyplatform.release(),
    }


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.a = args
        self.results: dict[str, object] = {"machine": machine(), "settings": vars(args), "runs": {}}
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}

    def log(self, text: str) -> None:
        print(text, flush=True)

    # ---- processes -------------------------------------------------------------------------------------
    def service(self, p: bp.BenchPlatform, name: str) -> None:
        env = p.env("ipc")
        proc = procs.start([str(bp.BIN / f"sogoms-{name}")], env, p.root / "out" / f"sogoms-{name}.out")
        self.procs[name] = proc
        sock = Path(env["SOGOMS_RUN_DIR"]) / f"sogoms-{name}.1.sock"
        procs.wait_until(lambda: procs.socket_open(sock), proc, f"sogoms-{name}")

    def http_server(self, name: str, cmd: list[str], env: dict[str, str], root: Path) -> None:
        port = procs.free_port()
        proc = procs.start(
            [*cmd, "--port", str(port), "--workers", str(self.a.workers)], env, root / "out" / f"{name}.out"
        )
        self.procs[name], self.ports[name] = proc, port
        procs.wait_until(lambda: procs.port_open(port), proc, name)

    def url(self, name: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def run(
        self,
        key: str,
        server: str,
        path: str,
        *,
        connections: int | None = None,
        seconds: float | None = None,
        headers: dict[str, str] | None = None,
        body: dict | None = None,
        bodies: list[dict] | None = None,
    ) -> wrk.Result:
        r = wrk.run(
            key,
            self.url(server, path),
            seconds=seconds or self.a.seconds,
            connections=connections or self.a.connections,
            headers=headers,
            body=body,
            bodies=bodies,
        )
        self.results["runs"][key] = r.__dict__  # type: ignore[index]
        self.log("  " + r.row())
        return r

    # ---- the run --------------------------------------------------------------------------------------
    def main(self) -> dict[str, object]:
        root = Path(tempfile.mkdtemp(prefix="sogoms-bench-"))
        self.log(f"bench: platform in {root} (MariaDB {bp.MARIADB})")
        p = bp.create(root)
        try:
            return self._measure(p)
        finally:
            for proc in self.procs.values():
                procs.stop(proc)
            bp.drop(p)

    def _measure(self, p: bp.BenchPlatform) -> dict[str, object]:
        a = self.a
        self.service(p, "logs")
        self.service(p, "db")
        gw = [str(bp.BIN / "sogoway")]
        self.http_server(
            "sogoway-ipc", gw, p.env("ipc", SOGOWAY_DB_TRANSPORT="ipc", SOGOWAY_LOGS_TRANSPORT="ipc"), p.root
        )
        self.http_server("sogoway-inproc", gw, p.env("inproc"), p.root)
        self.http_server("hello", [PY, str(HERE / "apps" / "hello.py")], p.env("hello"), p.root)
        self.http_server("handwritten", [PY, str(HERE / "apps" / "handwritten.py")], p.env("hand"), p.root)

        token = self.login("sogoway-ipc", "ana@prokov.test")
        auth = {**HOST, "Authorization": f"Bearer {token}"}
        self.check(auth)
        self.results["memory_idle_mib"] = self.memory()
        self.log(f"bench: idle memory {self.results['memory_idle_mib']}")

        self.log(f"bench: {a.seconds:.0f} s per run, {a.connections} connections, {a.workers} workers each")
        if self.a.login_only:
            return self.login_only(auth)
        hello = self.run("hello-world GET /", "hello", "/")
        s0 = self.run("S0 sogoway GET /api/_schema/projects", "sogoway-ipc", "/api/_schema/projects", headers=auth)
        s1 = {
            s: self.run(f"S1 list 50 {s}", s, "/api/projects", headers=auth)
            for s in ("handwritten", "sogoway-ipc", "sogoway-inproc")
        }
        s1["lean"] = self.run("S1 list 50 handwritten-lean", "handwritten", "/lean/api/projects", headers=auth)
        s2 = {
            s: self.run(f"S2 show 1 {s}", s, "/api/projects/1", headers=auth)
            for s in ("handwritten", "sogoway-ipc", "sogoway-inproc")
        }

        if self.a.quick:
            self.results["ratios"] = {
                "S0 authenticated no-DB vs hello-world (>= 0.75)": s0.rps / hello.rps,
                "S1 socket vs hand-written (>= 0.80)": s1["sogoway-ipc"].rps / s1["handwritten"].rps,
                "S1 socket vs hand-written doing the same (>= 0.90)": s1["sogoway-ipc"].rps / s1["lean"].rps,
                "S1 in-process vs hand-written doing the same (>= 0.95)": s1["sogoway-inproc"].rps / s1["lean"].rps,
                "S2 socket vs hand-written (>= 0.70)": s2["sogoway-ipc"].rps / s2["handwritten"].rps,
                "S2 in-process vs hand-written (>= 0.85)": s2["sogoway-inproc"].rps / s2["handwritten"].rps,
                "S1 socket vs in-process (>= 0.85)": s1["sogoway-ipc"].rps / s1["sogoway-inproc"].rps,
            }
            return self.results

        argon = self.argon2()
        logins = bp.login_bodies()
        cpu_before = self.cpu()
        login = self.run(
            "S4 login sogoway-ipc", "sogoway-ipc", "/api/auth/login", headers=HOST, bodies=logins, connections=16
        )
        self.results["login_cpu_ms"] = {
            k: round((v - cpu_before[k]) * 1000 / max(login.requests - login.failures, 1), 2)
            for k, v in self.cpu().items()
        }
        self.log(f"  CPU per login (ms): {self.results['login_cpu_ms']}")
        time.sleep(SETTLE)
        login_inproc = self.run(
            "S4 login sogoway-inproc", "sogoway-inproc", "/api/auth/login", headers=HOST, bodies=logins, connections=16
        )
        idle = self.run("S2 p99 idle (4 conns)", "sogoway-ipc", "/api/projects/1", headers=auth, connections=4)
        flood_box: dict[str, wrk.Result] = {}
        flood = threading.Thread(
            target=lambda: flood_box.setdefault(
                "r",
                wrk.run(
                    "login flood",
                    self.url("sogoway-ipc", "/api/auth/login"),
                    seconds=a.seconds + 2,
                    connections=16,
                    headers=HOST,
                    bodies=logins,
                ),
            )
        )
        flood.start()
        time.sleep(1)
        during = self.run(
            "S2 p99 during login flood (4 conns)", "sogoway-ipc", "/api/projects/1", headers=auth, connections=4
        )
        flood.join()
        self.log("  " + flood_box["r"].row())

        self.results["memory_after_load_mib"] = self.memory()
        growth = self.growth(auth, s2["sogoway-ipc"].rps)
        self.results["metrics_cost_us"] = {
            mode: json.loads(
                subprocess.run(
                    [PY, str(HERE / "metrics_cost.py"), *flag], check=True, capture_output=True, text=True
                ).stdout
            )["us_per_request"]
            for mode, flag in (("single", []), ("multiprocess", ["--multiprocess"]))
        }
        ratios = {
            "S0 authenticated no-DB vs hello-world (>= 0.75)": s0.rps / hello.rps,
            "S1 socket vs hand-written (>= 0.80)": s1["sogoway-ipc"].rps / s1["handwritten"].rps,
            "S1 in-process vs hand-written (info)": s1["sogoway-inproc"].rps / s1["handwritten"].rps,
            "S1 socket vs hand-written doing the same (>= 0.90)": s1["sogoway-ipc"].rps / s1["lean"].rps,
            "S1 in-process vs hand-written doing the same (>= 0.95)": s1["sogoway-inproc"].rps / s1["lean"].rps,
            "S2 socket vs hand-written (>= 0.70)": s2["sogoway-ipc"].rps / s2["handwritten"].rps,
            "S2 in-process vs hand-written (>= 0.85)": s2["sogoway-inproc"].rps / s2["handwritten"].rps,
            "S1 socket vs in-process (>= 0.85)": s1["sogoway-ipc"].rps / s1["sogoway-inproc"].rps,
            "S4 logins/s vs raw argon2 (>= 0.90)": login.ok_rps / argon["verifications_per_s"],
            "S4 in-process logins/s vs raw argon2 (info)": login_inproc.ok_rps / argon["verifications_per_s"],
            "S2 p99 during flood vs idle (<= 2.0)": during.p99_ms / idle.p99_ms,
            "gateway RSS growth (< 0.10)": growth["growth"],
        }
        self.results["argon2"] = argon
        self.results["growth"] = growth
        self.results["ratios"] = ratios
        return self.results

    def login_only(self, auth: dict[str, str]) -> dict[str, object]:
        """S4 alone, with the CPU each process spends per login: where a login's time goes."""
        del auth
        argon = self.argon2()
        logins = bp.login_bodies()
        before = self.cpu()
        login = self.run(
            "S4 login sogoway-ipc", "sogoway-ipc", "/api/auth/login", headers=HOST, bodies=logins, connections=16
        )
        self.results["login_cpu_ms"] = {
            k: round((v - before[k]) * 1000 / max(login.requests - login.failures, 1), 2) for k, v in self.cpu().items()
        }
        self.log(f"  CPU per login (ms): {self.results['login_cpu_ms']}")
        time.sleep(SETTLE)
        inproc = self.run(
            "S4 login sogoway-inproc", "sogoway-inproc", "/api/auth/login", headers=HOST, bodies=logins, connections=16
        )
        self.results["ratios"] = {
            "S4 logins/s vs raw argon2 (>= 0.90)": login.ok_rps / argon["verifications_per_s"],
            "S4 in-process logins/s vs raw argon2 (info)": inproc.ok_rps / argon["verifications_per_s"],
        }
        return self.results

    def argon2(self) -> dict[str, float]:
        argon: dict[str, float] = json.loads(
            subprocess.run(
                [
                    PY,
                    str(HERE / "argon2_rate.py"),
                    "--threads",
                    str(self.a.workers * 2),
                    "--seconds",
                    str(self.a.seconds),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        self.log(
            f"  raw argon2id verifications       {argon['verifications_per_s']:9.1f} /s ({argon['threads']} threads)"
        )
        return argon

    def login(self, server: str, email: str) -> str:
        r = httpx.post(self.url(server, "/api/auth/login"), headers=HOST, json={"email": email, "password": "demo1234"})
        r.raise_for_status()
        return str(r.json()["data"]["token"])

    def check(self, auth: dict[str, str]) -> None:
        """Every server answers the same thing before anything is timed (a fast 401 would be a lie)."""
        lists = {
            s: httpx.get(self.url(s, "/api/projects"), headers=auth).json()
            for s in ("handwritten", "sogoway-ipc", "sogoway-inproc")
        }
        for s, body in lists.items():
            meta = body["meta"]
            assert body["success"] and len(body["data"]) == 50, (s, body)
            assert meta.get("total") == bp.PROJECTS or meta.get("has_more") is True, (s, meta)
        assert [r["id"] for r in lists["handwritten"]["data"]] == [r["id"] for r in lists["sogoway-ipc"]["data"]]
        lean = httpx.get(self.url("handwritten", "/lean/api/projects"), headers=auth)
        gateway = httpx.get(self.url("sogoway-ipc", "/api/projects"), headers=auth)
        same = [[r["id"] for r in x.json()["data"]] for x in (lean, gateway)]
        assert same[0] == same[1] and lean.json()["meta"] == gateway.json()["meta"], (lean.json()["meta"], same)
        assert lean.headers["link"] == gateway.headers["link"], (lean.headers["link"], gateway.headers["link"])
        shows = {
            s: httpx.get(self.url(s, "/api/projects/1"), headers=auth).json()["data"]
            for s in ("handwritten", "sogoway-ipc", "sogoway-inproc")
        }
        same = [{**row, "created_at": str(row["created_at"]).rstrip("Z")} for row in shows.values()]  # UTC marker
        assert same[0] == same[1] == same[2], shows
        assert httpx.get(self.url("hello", "/")).status_code == 200

    def cpu(self) -> dict[str, float]:
        """CPU seconds used so far by each process of the platform (and MariaDB, when it runs here)."""
        out = {n: procs.tree_cpu_seconds(self.procs[n].pid) for n in ("sogoway-ipc", "db", "logs")}
        mariadb = procs.pid_of("mariadbd")
        if mariadb is not None:
            out["mariadbd"] = procs.cpu_seconds(mariadb)
        return out

    def memory(self) -> dict[str, float]:
        platform_procs = ("db", "logs", "sogoway-ipc")
        rss = {n: round(procs.tree_memory_mib(self.procs[n].pid), 1) for n in platform_procs}
        pss = {n: round(procs.tree_memory_mib(self.procs[n].pid, "Pss"), 1) for n in platform_procs}
        return {
            **{f"rss {k}": v for k, v in rss.items()},
            "rss total": round(sum(rss.values()), 1),
            **{f"pss {k}": v for k, v in pss.items()},
            "pss total": round(sum(pss.values()), 1),
        }

    def gateway_rss(self) -> float:
        workers = procs.tree(self.procs["sogoway-ipc"].pid)[1:]
        return sum(procs.memory_kib(w) for w in workers) / 1024

    def growth(self, auth: dict[str, str], rps: float) -> dict[str, float]:
        before = self.gateway_rss()
        seconds = min(self.a.growth_seconds, max(10.0, self.a.growth_requests / max(rps, 1.0)))
        r = self.run("growth run S2 sogoway-ipc", "sogoway-ipc", "/api/projects/1", headers=auth, seconds=seconds)
        after = self.gateway_rss()
        g = {
            "requests": r.requests,
            "rss_before_mib": round(before, 1),
            "rss_after_mib": round(after, 1),
            "growth": (after - before) / before,
        }
        self.log(f"  gateway workers RSS {before:.1f} -> {after:.1f} MiB over {r.requests} requests")
        return g


def report(results: dict[str, object]) -> str:
    lines = ["", "SOGOMS bench", f"machine: {results['machine']}", "", "ratios (SPEC section 11):"]
    for k, v in results["ratios"].items():  # type: ignore[union-attr]
        lines.append(f"  {k:<44} {v:6.3f}")
    if "memory_after_load_mib" not in results:
        return "\n".join(lines)
    lines += [
        "",
        f"idle memory (MiB): {results['memory_idle_mib']}",
        f"after load (MiB): {results['memory_after_load_mib']}",
        f"metrics cost per request (us): {results['metrics_cost_us']}",
        "S0 is GET /api/_schema/projects: bearer token verified (HS256 + revocation list held in memory), no DB call.",
    ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=8.0, help="duration of each wrk run")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="worker processes of every HTTP server")
    ap.add_argument("--growth-requests", type=int, default=200_000, help="requests of the RSS growth run")
    ap.add_argument("--login-only", action="store_true", help="S4 alone, with the CPU per login of each process")
    ap.add_argument("--quick", action="store_true", help="S0, S1 and S2 only (no login, flood or growth runs)")
    ap.add_argument("--growth-seconds", type=float, default=120.0, help="upper bound on the growth run")
    results = Bench(ap.parse_args()).main()
    save(results, report(results))
    return 0


def save(results: dict[str, object], text: str, prefix: str = "") -> None:
    """Print the report; keep it and the figures in bench/results/{prefix}{UTC time}.txt and .json."""
    print(text)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    stamp = prefix + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    (out / f"{stamp}.txt").write_text(text + "\n")
    print(f"\nwritten to bench/results/{stamp}.json and .txt")


if __name__ == "__main__":
    sys.exit(main())
