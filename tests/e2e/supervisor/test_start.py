"""sogoctl starts the shipped platform in dependency order, says how long it took, and answers status."""

from __future__ import annotations

import json
import re

import httpx

from tests.e2e.supervisor.conftest import Sogoctl, shipped, supervisor_file


def started_and_healthy(output: str) -> tuple[dict[str, int], dict[str, int]]:
    """Line numbers of each service's first 'started' and 'healthy' log lines."""
    started: dict[str, int] = {}
    healthy: dict[str, int] = {}
    for n, line in enumerate(output.splitlines()):
        if m := re.search(r"sogoms\.sogoctl\[\d+\]: (\S+) started \(pid", line):
            started.setdefault(m.group(1), n)
        if m := re.search(r"sogoms\.sogoctl\[\d+\]: (\S+) healthy \(pid", line):
            healthy.setdefault(m.group(1), n)
    return started, healthy


def test_services_start_after_what_they_depend_on_is_healthy_and_the_start_time_is_printed(sogoctl: Sogoctl):
    status = sogoctl.status()
    output = sogoctl.output()
    started, healthy = started_and_healthy(output)
    services = shipped()
    assert {"sogoms-logs", "sogoms-db", "sogoway"} <= set(services)
    assert set(started) == set(status) == set(services)
    for name, svc in status.items():
        for dep in svc["depends_on"]:
            assert healthy[dep] < started[name], f"{name} started before {dep} was healthy"
    assert re.search(rf"^sogoctl: all {len(services)} services healthy in \d+\.\d\d s$", output, re.M)
    assert sogoctl.get("/health").status_code == 200
    ready = httpx.get(sogoctl.url("/ready"), timeout=10).json()["data"]  # on the gateway's own address (ops access)
    assert ready["ready"] is True and ready["checks"]["services"] == {"ok": True}
    # each service's output is in its own log file
    for name in status:
        assert (sogoctl.platform.paths.logs / f"{name}.log").read_text().count(f"starting {name}: ") == 1


def test_status_as_a_table_and_as_json(sogoctl: Sogoctl):
    table = sogoctl.cli("status")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    n = len(shipped())
    assert lines[0].startswith("sogoctl: up ") and f"{n} of {n} services healthy" in lines[0]
    assert lines[1].split() == ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH"]
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["sogoway"][1] == "RUNNING" and rows["sogoway"][4] == "0" and rows["sogoway"][5] == "ok"
    as_json = json.loads(sogoctl.cli("status", "--json").stdout)
    gateway = next(s for s in as_json["services"] if s["name"] == "sogoway")
    assert gateway["health"]["detail"]["config"]["apps"] == ["koprogo", "prokov"]
    assert gateway["health"]["detail"]["config"]["reload_error"] is None


def test_a_second_sogoctl_on_the_same_platform_refuses_to_start(sogoctl: Sogoctl):
    second = sogoctl.cli()
    assert second.returncode == 1
    assert "another sogoctl is already running" in second.stderr


def test_an_invalid_file_stops_before_anything_starts(sqlite_platform):
    path = supervisor_file(sqlite_platform, {"sogoway-2": {"binary": "sogoway", "depends_on": ["sogoms-dbb"]}})
    ctl = Sogoctl(sqlite_platform)
    result = ctl.cli()
    assert result.returncode == 2
    assert f"sogoctl: {path}: service 'sogoway-2' depends on unknown service 'sogoms-dbb'" in result.stderr
    assert not ctl.socket.exists()
    assert not list(sqlite_platform.paths.logs.glob("sogoms-*.log"))


def test_client_commands_say_when_no_supervisor_runs(sqlite_platform):
    result = Sogoctl(sqlite_platform).cli("status")
    assert result.returncode == 1
    assert "no supervisor answers on" in result.stderr and "is `sogoctl` running?" in result.stderr
