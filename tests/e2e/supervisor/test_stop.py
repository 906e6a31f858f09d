"""Stopping: SIGTERM drains (a slow request in flight completes, new connections are refused), reverse order,
and no process outlives sogoctl, even when sogoctl itself is killed with -9."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx

from tests.e2e.supervisor.conftest import Sogoctl, describe, shipped, wait_for_exit, wait_until

STOP_ORDER = list(reversed(shipped()))


def trickled_login(started: threading.Event, seconds: float) -> Iterator[bytes]:
    """A login body sent a few bytes at a time over `seconds`: the request stays in flight that long."""
    yield b'{"email": "ana@prokov.test",'
    started.set()
    steps = 20
    for _ in range(steps):
        time.sleep(seconds / steps)
        yield b" "
    yield b'"password": "demo1234"}'


def refused(ctl: Sogoctl) -> bool:
    try:
        httpx.get(ctl.url("/health"), timeout=0.5)
    except httpx.ConnectError:
        return True
    except httpx.HTTPError:
        return False
    return False


def test_sigterm_lets_a_slow_request_finish_refuses_new_ones_and_stops_in_reverse_order(sogoctl: Sogoctl):
    started, result = threading.Event(), dict[str, Any]()

    def slow() -> None:
        try:
            r = httpx.post(
                sogoctl.url("/api/auth/login"),
                content=trickled_login(started, 4.0),
                headers={"Host": "prokov.localhost", "Content-Type": "application/json"},
                timeout=30,
            )
            result["status"], result["body"] = r.status_code, r.json()
        except httpx.HTTPError as exc:
            result["error"] = repr(exc)

    thread = threading.Thread(target=slow)
    thread.start()
    assert started.wait(10)
    time.sleep(0.3)  # the request line and headers are in: the request is in flight
    sogoctl.remember()
    sogoctl.process.send_signal(signal.SIGTERM)
    wait_until(lambda: refused(sogoctl), 3.5, "new connections refused while draining")
    assert thread.is_alive()  # the slow request is still being received
    thread.join(30)
    assert result.get("status") == 200, result
    assert result["body"]["data"]["user"]["email"] == "ana@prokov.test"
    assert sogoctl.process.wait(60) == 0
    stopped = re.findall(r"sogoms\.sogoctl\[\d+\]: (\S+) stopped \(", sogoctl.output())
    assert stopped == STOP_ORDER
    assert "sogoctl: all services stopped" in sogoctl.output()
    assert not wait_for_exit(sogoctl.seen, 10)
    assert not sogoctl.socket.exists()


def test_no_process_outlives_sogoctl_killed_with_sigkill(sogoctl: Sogoctl):
    everything = sogoctl.remember()
    assert len(everything) >= len(STOP_ORDER) + 2  # every service and the gateway's two workers
    sogoctl.process.send_signal(signal.SIGKILL)
    sogoctl.process.wait(10)
    left = wait_for_exit(everything, 30)
    assert not left, f"children survived sogoctl: {describe(left)}"


def test_sogoctl_stop_stops_everything_and_exits(sogoctl: Sogoctl):
    everything = sogoctl.remember()
    result = sogoctl.cli("stop", timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["sogoctl: stopping " + ", ".join(STOP_ORDER), "sogoctl: stopped"]
    assert sogoctl.process.wait(30) == 0
    assert not wait_for_exit(everything, 10)
