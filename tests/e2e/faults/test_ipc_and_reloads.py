"""IPC fuzz with deep nesting, and broken configuration reloads under load (the campaign's last rows).

Every malformed or deeply nested frame gets an answer (a clear error) and the service keeps serving; a reload of
a broken app.yaml is refused by every service, reported by `sogoctl reload` (exit 1, the file and the key), and
the API keeps answering while it happens.
"""

from __future__ import annotations

import json
import random
import shutil
import socket
import struct
import threading
import time
from typing import Any

import httpx
import pytest

from tests.e2e.faults.support import timed, token
from tests.support.ipc import ipc_call
from tests.support.platform import build_platform
from tests.support.processes import start, stop, wait_for_socket

FRAMES = 2000


def frames(rng: random.Random) -> list[bytes]:
    depth = rng.choice([200, 1000, 5000])
    nested = "[" * depth + "]" * depth
    return [
        json.dumps({"id": "d", "action": "query", "params": {"app_id": "prokov"}})[:-1].encode()
        + b', "x": '
        + nested.encode()
        + b"}",
        b'{"id": "n", "action": "log_event", "params": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}",
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))),
        b'{"id": 1, "action": 2}',
        b"[" * 100_000,
    ]


def exchange(sock: socket.socket, payload: bytes) -> dict[str, Any]:
    sock.sendall(struct.pack(">I", len(payload)) + payload)
    head = b""
    while len(head) < 4:
        chunk = sock.recv(4 - len(head))
        assert chunk, "connection closed without an answer"
        head += chunk
    (n,) = struct.unpack(">I", head)
    body = b""
    while len(body) < n:
        chunk = sock.recv(n - len(body))
        assert chunk
        body += chunk
    return json.loads(body)


@pytest.mark.experiment("IPC fuzz with deep nesting (sogoms-db, sogoms-logs)")
def test_every_malformed_or_deeply_nested_frame_is_answered_and_the_services_live_on(tmp_path, experiment):
    platform = build_platform(tmp_path, "sqlite")
    procs = {}
    rng = random.Random(11)
    answered = errors = 0
    try:
        for name in ("logs", "db"):
            procs[name] = start(f"sogoms-{name}", env=platform.env, log=platform.paths.logs / f"sogoms-{name}.out")
            wait_for_socket(platform.paths.socket(name), proc=procs[name])
        for name in ("logs", "db"):
            with socket.socket(socket.AF_UNIX) as s:
                s.settimeout(10)
                s.connect(str(platform.paths.socket(name)))
                sent = 0
                while sent < FRAMES // 2:
                    for payload in frames(rng):
                        answer = exchange(s, payload)
                        answered += 1
                        errors += answer.get("status") == "error"
                        sent += 1
            assert ipc_call(platform.paths.socket(name), "health")["ok"] is True
            assert procs[name].poll() is None
        assert ipc_call(platform.paths.socket("db"), "query", {"app_id": "prokov", "query": "SELECT 1 AS x"}) == [
            {"x": 1}
        ]
    finally:
        for proc in procs.values():
            stop(proc)
        platform.cleanup()
    experiment.requests = FRAMES
    experiment.acknowledged = answered
    experiment.lost = FRAMES - answered
    experiment.note = f"{answered} of {FRAMES} frames answered ({errors} with a clear error), both services alive"
    assert answered == FRAMES and errors == FRAMES


@pytest.mark.experiment("broken config reloads under load")
def test_broken_reloads_are_refused_reported_and_the_api_keeps_answering(platform_sqlite, experiment):
    ctl = platform_sqlite
    headers = {"Host": "prokov.localhost", "Authorization": f"Bearer {token(ctl)}"}
    answers: list[int] = []
    stop_load = threading.Event()

    def load() -> None:
        with httpx.Client(base_url=ctl.url(""), headers=headers, timeout=10) as http:
            while not stop_load.is_set() and len(answers) < 20_000:
                answers.append(timed(http, "GET", "/api/projects").status)

    broken = ctl.platform.paths.config / "apps" / "broken"
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    try:
        time.sleep(1)
        broken.mkdir()
        (broken / "app.yaml").write_text("app: broken\nhots: [broken.localhost]\n")
        refused = ctl.cli("reload", timeout=120)
        shutil.rmtree(broken)
        prokov_yaml = ctl.platform.paths.config / "apps" / "prokov" / "app.yaml"
        original = prokov_yaml.read_text()
        prokov_yaml.write_text(original.replace("smtp:", "smpt:", 1))
        refused_again = ctl.cli("reload", "sogoms-smtp", timeout=60)
        prokov_yaml.write_text(original)
        fixed = ctl.cli("reload", timeout=120)
        time.sleep(1)
    finally:
        stop_load.set()
        thread.join(30)
    experiment.requests = len(answers)
    experiment.acknowledged = answers.count(200)
    experiment.errors_5xx = sum(s >= 500 for s in answers)
    reported = [line for line in refused.stdout.splitlines() if "reload failed" in line]
    experiment.note = f"{len(reported)} services reported the refused reload; sogoctl reload exit {refused.returncode}"
    assert refused.returncode == 1 and str(broken / "app.yaml") in refused.stdout and "hots" in refused.stdout
    assert len(reported) >= 7, refused.stdout
    assert refused_again.returncode == 1 and "smpt" in refused_again.stdout, refused_again.stdout
    assert fixed.returncode == 0, fixed.stdout
    assert set(answers) == {200}
    assert all(s["restarts"] == 0 for s in ctl.status().values())
