"""`sogoctl status` as a table: one line a service, the health column saying what matters."""

from __future__ import annotations

from entrypoints.supervisor.client import duration, status_table


def svc(name: str, state: str, **kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": name,
        "state": state,
        "pid": None,
        "uptime": None,
        "restarts": 0,
        "health": None,
        "reason": "",
        "next_start_in": None,
        "waiting_for": [],
    }
    return {**base, **kw}


def test_the_table_shows_each_service_and_why_one_is_not_healthy():
    status = {
        "uptime": 3725.0,
        "ready_after": 1.234,
        "stopping": False,
        "services": [
            svc("sogoms-logs", "RUNNING", pid=101, uptime=3725.0, health={"note": "ok"}),
            svc("sogoms-db", "BACKOFF", restarts=2, reason="killed by SIGKILL", next_start_in=3.5),
            svc("crasher", "FATAL", restarts=3, reason="exited with code 1; gave up after 3 restarts"),
            svc("sogoway", "STOPPED", waiting_for=["sogoms-db"]),
            svc("mailer", "RUNNING", pid=7, uptime=65, health={"note": "reload failed: bad key"}),
            svc("catcher", "RUNNING", pid=8, uptime=65),
        ],
    }
    lines = status_table(status).splitlines()
    assert lines[0] == "sogoctl: up 1h02m, 3 of 6 services healthy (start took 1.23 s)"
    assert lines[1].split() == ["SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH"]
    assert lines[2].split() == ["sogoms-logs", "RUNNING", "101", "1h02m", "0", "ok"]
    assert lines[3].split()[:5] == ["sogoms-db", "BACKOFF", "-", "-", "2"]
    assert lines[3].endswith("killed by SIGKILL (next start in 3.5s)")
    assert lines[4].endswith("exited with code 1; gave up after 3 restarts")
    assert lines[5].endswith("waiting for sogoms-db")
    assert lines[6].split() == ["mailer", "RUNNING", "7", "1m05s", "0", "reload", "failed:", "bad", "key"]
    assert lines[1].index("HEALTH") == lines[2].index("ok") == lines[6].index("reload failed")  # aligned
    assert lines[7].endswith("running (no health check)")


def test_durations_read_naturally():
    assert [duration(x) for x in (None, 2.345, 42, 125, 3725, 90061)] == ["-", "2.3s", "42s", "2m05s", "1h02m", "1d01h"]
