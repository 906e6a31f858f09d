"""Whole platform under sogoctl (the shipped config, demo apps on SQLite): start time and idle memory per service.

`python bench/platform_idle.py [--runs 3] [--idle 5]`: prints sogoctl's "all N services healthy in X s" line of
each run, then RSS and PSS (shared pages of forked workers counted once) per service and in total.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import procs  # noqa: E402

ROOT = HERE.parent
BIN = Path(sys.executable).parent


def prepare(root: Path) -> dict[str, str]:
    shutil.copytree(ROOT / "config", root / "config")
    env = dict(os.environ)
    env.update(
        SOGOMS_CONFIG_DIR=str(root / "config"),
        SOGOMS_RUN_DIR=str(root / "run"),
        SOGOMS_LOG_DIR=str(root / "log"),
        SOGOMS_SECRETS_DIR=str(root / "secrets"),
        SOGOMS_DATA_DIR=str(root / "data"),
        SOGOWAY_PORT=str(procs.free_port()),
        SOGOMS_ADMIN_PORT=str(procs.free_port()),
        SOGOMS_MAILCATCHER_PORT=str(procs.free_port()),
        SOGOMS_LOG_LEVEL="WARNING",
    )
    for app in ("prokov", "koprogo"):
        subprocess.run([str(BIN / "sogoms"), "secrets", "init", app], env=env, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "sogoms"), "schema", "migrate", app, "--apply"], env=env, check=True, capture_output=True
        )
    subprocess.run(
        [str(BIN / "sogoms"), "admin-user", "add", "admin", "--role", "super_admin", "--generate", "--if-missing"],
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def one_run(
    root: Path, env: dict[str, str], idle: float, measure: bool
) -> tuple[float, dict[str, tuple[float, float]]]:
    log = root / "sogoctl.out"
    proc = subprocess.Popen(
        [str(BIN / "sogoctl")],
        env=env,
        stdout=open(log, "wb"),  # noqa: SIM115 (the child owns it; closed with the run)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        started = None
        while time.monotonic() < deadline and started is None:
            m = re.search(r"all (\d+) services healthy in ([\d.]+) s", log.read_text(errors="replace"))
            if m:
                started = float(m.group(2))
            elif proc.poll() is not None:
                raise RuntimeError(f"sogoctl exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        if started is None:
            raise RuntimeError("sogoctl did not report all services healthy within 60 s")
        memory: dict[str, tuple[float, float]] = {}
        if measure:
            time.sleep(idle)
            for child in procs.tree(proc.pid):
                if child == proc.pid:
                    name = "sogoctl"
                else:
                    cmd = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                    ppid = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
                    if ppid != proc.pid:
                        continue  # counted with its parent's tree (the gateway's workers)
                    name = Path(cmd[1].decode()).name if len(cmd) > 1 else str(child)
                    if name == "sogoms":
                        name = "mailcatcher"
                memory[name] = (procs.tree_memory_mib(child), procs.tree_memory_mib(child, "Pss"))
            own = (procs.memory_kib(proc.pid) / 1024, procs.memory_kib(proc.pid, "Pss") / 1024)
            memory["sogoctl"] = own
        return started, memory
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(60)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--idle", type=float, default=5.0)
    a = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="sogoms-platform-"))
    try:
        env = prepare(root)
        starts = []
        memory: dict[str, tuple[float, float]] = {}
        for i in range(a.runs):
            started, mem = one_run(root, env, a.idle, measure=i == a.runs - 1)
            starts.append(started)
            memory = mem or memory
        print(
            "start to all services healthy: " + ", ".join(f"{s:.2f} s" for s in starts) + f" (best {min(starts):.2f} s)"
        )
        print(f"{'service':<14} {'RSS MiB':>8} {'PSS MiB':>8}")
        for name, (rss, pss) in sorted(memory.items()):
            print(f"{name:<14} {rss:8.1f} {pss:8.1f}")
        print(f"{'total':<14} {sum(r for r, _ in memory.values()):8.1f} {sum(p for _, p in memory.values()):8.1f}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
