"""Profile one sogoway worker (socket transport) under S2 load with py-spy; prints the heaviest functions.

`python bench/profile.py [--path /api/projects/1] [--seconds 10]` (needs `pip install py-spy`).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import fixture as bp  # noqa: E402
from bench import procs, wrk  # noqa: E402


def top(raw: Path, n: int = 25) -> str:
    """Self and inclusive share of samples per function, from py-spy's collapsed stacks."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1] for f in stack.split(";") if f]
        c = int(count)
        total += c
        for f in set(frames):
            inclusive[f] += c
        if frames:
            own[frames[-1]] += c
    out = [f"{total} samples", "self%  incl%  function"]
    for f, c in own.most_common(n):
        out.append(f"{100 * c / total:5.1f} {100 * inclusive[f] / total:6.1f}  {f}")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--path", default="/api/projects/1")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--transport", default="ipc", choices=["ipc", "inproc"])
    ap.add_argument(
        "--login", action="store_true", help="profile logins (POST /api/auth/login, 32 accounts in turn) instead"
    )
    ap.add_argument("--target", default="gateway", choices=["gateway", "db"], help="the process to sample")
    a = ap.parse_args()
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    root = Path(tempfile.mkdtemp(prefix="sogoms-profile-"))
    p = bp.create(root)
    running = []
    try:
        env = p.env("ipc", SOGOWAY_DB_TRANSPORT=a.transport, SOGOWAY_LOGS_TRANSPORT=a.transport)
        for name in ("logs", "db"):
            proc = procs.start([str(bp.BIN / f"sogoms-{name}")], env, root / f"{name}.out")
            running.append(proc)
            sock = Path(env["SOGOMS_RUN_DIR"]) / f"sogoms-{name}.1.sock"
            procs.wait_until(lambda s=sock: procs.socket_open(s), proc, name)
        port = procs.free_port()
        gw = procs.start([str(bp.BIN / "sogoway"), "--port", str(port), "--workers", "1"], env, root / "gw.out")
        running.append(gw)
        procs.wait_until(lambda: procs.port_open(port), gw, "sogoway")
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(
            f"{base}/api/auth/login",
            headers={"Host": "prokov.localhost"},
            json={"email": "ana@prokov.test", "password": "demo1234"},
        )
        headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {r.json()['data']['token']}"}
        assert httpx.get(base + a.path, headers=headers).status_code == 200
        load = threading.Thread(
            target=lambda: print(
                wrk.run(
                    "load",
                    base + ("/api/auth/login" if a.login else a.path),
                    seconds=a.seconds + 2,
                    connections=16,
                    threads=1,
                    headers={"Host": "prokov.localhost"} if a.login else headers,
                    bodies=bp.login_bodies() if a.login else None,
                ).row()
            )
        )
        load.start()
        raw = root / "profile.txt"
        subprocess.run(
            [
                spy,
                "record",
                "-p",
                str(gw.pid if a.target == "gateway" else running[1].pid),
                "-d",
                str(a.seconds),
                "-r",
                "200",
                "--format",
                "raw",
                "-o",
                str(raw),
                "--nonblocking",
            ],
            check=True,
            capture_output=True,
        )
        load.join()
        print(top(raw))
        print(f"collapsed stacks: {raw}")
    finally:
        for proc in running:
            procs.stop(proc)
        bp.drop(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
