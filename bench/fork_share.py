"""What a zygote would save: PSS of the services' imports, each in its own interpreter vs forked from one that
imported them first (issue 14, idle memory; docs/benchmarks.md).

`python bench/fork_share.py [--preload MODULES]`: for each service's entry module, (a) a fresh interpreter imports
it and idles; (b) one parent imports the --preload modules and every service's entry module, calls gc.freeze(),
and forks one child per service, each importing its entry module again (a no-op) and idling. Prints RSS and PSS of
each set. Import-time pages only: what services allocate once running (pools, caches) is not shared either way.
Run it from a production install (no dev extras), like bench/platform_idle.py.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import procs  # noqa: E402

SERVICES = {
    "sogoms-logs": "entrypoints.logs_service.main",
    "sogoms-db": "entrypoints.db_service.main",
    "sogoms-push": "entrypoints.push_service.main",
    "sogoms-smtp": "entrypoints.smtp_service.main",
    "sogoms-mailproc": "entrypoints.mailproc_service.main",
    "sogoms-imap": "entrypoints.imap_service.main",
    "sogoms-cron": "entrypoints.cron_service.main",
    "sogoway": "entrypoints.gateway.app",
    "sogoms-admin": "entrypoints.admin.app",
    "mailcatcher": "entrypoints.cli.main",
}
IDLE = "import importlib, sys, time; importlib.import_module(sys.argv[1]); print('ready', flush=True); time.sleep(600)"


def _wait_ready(pids: list[int], settle: float) -> None:
    time.sleep(settle)


def _totals(pids: list[int]) -> tuple[float, float]:
    rss = sum(procs.memory_kib(p) for p in pids) / 1024
    pss = sum(procs.memory_kib(p, "Pss") for p in pids) / 1024
    return rss, pss


def separate(settle: float) -> tuple[float, float]:
    children = [
        subprocess.Popen([sys.executable, "-c", IDLE, module], stdout=subprocess.PIPE) for module in SERVICES.values()
    ]
    try:
        for c in children:
            assert c.stdout is not None
            c.stdout.readline()
        _wait_ready([c.pid for c in children], settle)
        return _totals([c.pid for c in children])
    finally:
        for c in children:
            c.kill()
            c.wait()


def forked(settle: float, preload: list[str], everything: bool) -> tuple[float, float, float, float]:
    for module in [*preload, *(SERVICES.values() if everything else ())]:
        importlib.import_module(module)
    gc.collect()
    gc.freeze()  # the parent's objects out of the collector's reach: it would write to their pages in every child
    pids = []
    for module in SERVICES.values():
        pid = os.fork()
        if pid == 0:
            importlib.import_module(module)
            time.sleep(600)
            os._exit(0)
        pids.append(pid)
    try:
        _wait_ready(pids, settle)
        rss, pss = _totals(pids)
        return rss, pss, procs.memory_kib(os.getpid()) / 1024, procs.memory_kib(os.getpid(), "Pss") / 1024
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--settle", type=float, default=3.0, help="seconds idle before measuring")
    ap.add_argument("--preload", default="", help="more modules the parent imports first (comma-separated)")
    ap.add_argument("--only-preload", action="store_true", help="the parent imports --preload only, not the services")
    a = ap.parse_args()
    rss, pss = separate(a.settle)
    print(f"{len(SERVICES)} entry modules, each in its own interpreter: RSS {rss:.1f} MiB, PSS {pss:.1f} MiB")
    preload = [m for m in a.preload.split(",") if m]
    c_rss, c_pss, z_rss, z_pss = forked(a.settle, preload, not a.only_preload)
    what = f"{', '.join(preload)}" if a.only_preload else "them"
    print(
        f"the same forked from one parent that imported {what}: children RSS {c_rss:.1f} MiB, PSS {c_pss:.1f} MiB; "
        f"parent RSS {z_rss:.1f} MiB, PSS {z_pss:.1f} MiB; children + parent PSS {c_pss + z_pss:.1f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
