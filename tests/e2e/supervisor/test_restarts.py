"""kill -9 of any service: restarted, healthy again, the gateway's /ready dips and recovers; a service that
crashes at start is retried with growing delays and left FATAL while the rest keeps running."""

from __future__ import annotations

import os
import re
import signal
import threading
import time

import httpx
import pytest

from tests.e2e.supervisor.conftest import Sogoctl, alive, shipped, supervisor_file, wait_until


class ReadyWatch:
    """Polls the gateway's /ready in a thread and keeps every answer (status code, or 0 when refused)."""

    def __init__(self, ctl: Sogoctl) -> None:
        self.ctl = ctl
        self.seen: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(timeout=2) as client:
            while not self._stop.is_set() and len(self.seen) < 5000:
                try:
                    r = client.get(
                        self.ctl.url("/ready")
                    )  # the gateway's own address: /ready is not served on app hosts
                    self.seen.append(r.status_code)
                except httpx.HTTPError:
                    self.seen.append(0)
                time.sleep(0.02)

    def __enter__(self) -> ReadyWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def restarted(ctl: Sogoctl, name: str, old_pid: int) -> dict | None:
    svc = ctl.status()[name]
    if svc["state"] == "RUNNING" and svc["pid"] not in (None, old_pid):
        return svc
    return None


@pytest.mark.parametrize("name", ["sogoms-db", "sogoms-logs"])
def test_kill_9_of_a_service_the_gateway_uses_is_restarted_and_ready_dips_then_recovers(sogoctl: Sogoctl, name):
    before = sogoctl.status()
    gateway_pid, old = before["sogoway"]["pid"], before[name]["pid"]
    with ReadyWatch(sogoctl) as watch:
        wait_until(lambda: 200 in watch.seen, 10, "a first ready answer")
        os.kill(old, signal.SIGKILL)
        svc = wait_until(lambda: restarted(sogoctl, name, old), 30, f"{name} restarted")
        wait_until(lambda: watch.seen[-1] == 200, 30, "/ready back to 200")
    assert svc["restarts"] == 1 and svc["health"]["ok"] is True
    assert "killed by SIGKILL" in svc["reason"] or svc["reason"] == ""
    # /ready went 503 while it was down, then 200 again
    first_down = watch.seen.index(503)
    assert 200 in watch.seen[:first_down] and watch.seen[-1] == 200
    # its dependents were left alone
    after = sogoctl.status()
    assert after["sogoway"]["pid"] == gateway_pid and after["sogoway"]["restarts"] == 0
    assert f"{name} killed by SIGKILL; restart 1 of 3" in sogoctl.output()


def test_kill_9_of_the_gateway_master_restarts_it_and_its_workers_do_not_linger(sogoctl: Sogoctl):
    old = sogoctl.status()["sogoway"]["pid"]
    workers = {p for p in sogoctl.remember() if _ppid(p) == old}
    assert len(workers) == 2
    with ReadyWatch(sogoctl) as watch:
        wait_until(lambda: 200 in watch.seen, 10, "a first ready answer")
        os.kill(old, signal.SIGKILL)
        wait_until(lambda: restarted(sogoctl, "sogoway", old), 30, "sogoway restarted")
        wait_until(lambda: watch.seen[-1] == 200, 30, "/ready back to 200")
    assert 0 in watch.seen  # refused while no gateway listened
    wait_until(lambda: not any(alive(p) for p in workers), 10, "the old workers gone")
    assert sogoctl.get("/api/auth/me").status_code == 401  # the new one serves


@pytest.mark.parametrize("name", [n for n in shipped() if n not in ("sogoms-db", "sogoms-logs", "sogoway")])
def test_kill_9_of_any_other_service_is_restarted(sogoctl: Sogoctl, name):
    old = sogoctl.status()[name]["pid"]
    os.kill(old, signal.SIGKILL)
    svc = wait_until(lambda: restarted(sogoctl, name, old), 30, f"{name} restarted")
    assert svc["restarts"] == 1
    assert all(s["state"] == "RUNNING" for s in sogoctl.status().values())


def _ppid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def test_a_service_crashing_at_start_is_retried_with_growing_delays_then_fatal_the_rest_up(sqlite_platform):
    runs = sqlite_platform.root / "crasher-runs"
    script = sqlite_platform.root / "crasher"
    script.write_text(f'#!/bin/sh\necho "crasher: cannot start, giving up" >&2\necho run >> "{runs}"\nexit 1\n')
    script.chmod(0o755)
    supervisor_file(
        sqlite_platform,
        {"crasher": {"binary": str(script), "health_socket": "${SOGOMS_RUN_DIR}/crasher.sock"}},
        restart_delay="0.1s",
        max_restarts=3,
    )
    ctl = Sogoctl(sqlite_platform).start()
    try:
        wait_until(lambda: ctl.socket.exists() and ctl.status()["crasher"]["state"] == "FATAL", 60, "crasher FATAL")
        others = shipped()
        wait_until(lambda: all(ctl.status()[n]["state"] == "RUNNING" for n in others), 60, "the others RUNNING")
        ctl.remember()
        assert ctl.status()["crasher"]["state"] == "FATAL"
        assert runs.read_text().count("run") == 4  # the first start and 3 restarts
        delays = [
            float(d) for d in re.findall(r"crasher exited with code 1; restart \d of 3 in ([\d.]+) s", ctl.output())
        ]
        assert delays == sorted(delays) and len(set(delays)) == 3  # each wait longer than the one before
        assert "crasher is FATAL: exited with code 1; gave up after 3 restarts" in ctl.output()
        assert "cannot start, giving up" in (sqlite_platform.paths.logs / "crasher.log").read_text()
        table = ctl.cli("status")
        assert table.returncode == 3  # not every service is running
        row = next(line for line in table.stdout.splitlines() if line.startswith("crasher"))
        assert row.split()[1] == "FATAL" and "gave up after 3 restarts" in row
        wait_until(lambda: "services healthy in" in ctl.output(), 30, "the start summary")
        n = len(others)
        assert re.search(rf"^sogoctl: {n} of {n + 1} services healthy in [\d.]+ s; FATAL: crasher$", ctl.output(), re.M)
        # the gateway still serves (ready, on its own address), and its /ready carries the alert (issue 11 item 7)
        ready = httpx.get(ctl.url("/ready"), timeout=10)
        assert ready.status_code == 200, ready.text
        services = ready.json()["data"]["checks"]["services"]
        assert services["alert"] is True and "gave up after 3 restarts" in services["fatal"]["crasher"]
    finally:
        ctl.stop()


def test_restart_command_restarts_a_running_service(sogoctl: Sogoctl):
    old = sogoctl.status()["sogoms-db"]["pid"]
    result = sogoctl.cli("restart", "sogoms-db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sogoms-db: RUNNING (pid ")
    svc = sogoctl.status()["sogoms-db"]
    assert svc["pid"] != old and svc["restarts"] == 1
    unknown = sogoctl.cli("restart", "sogoms-dbb")
    assert unknown.returncode == 1 and "no service 'sogoms-dbb'" in unknown.stderr
