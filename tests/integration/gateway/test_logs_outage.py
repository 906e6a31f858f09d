"""sogoms-logs down: sign-ins and writes still work, their entries are written to the same files directly."""

from __future__ import annotations

import json

import pytest

from tests.support.processes import stop


@pytest.mark.parametrize("transport", ["ipc"], indirect=True)
def test_login_and_audit_survive_a_logs_outage(prokov, services, platform) -> None:
    stop(services["logs"])
    data = prokov.login("ana@prokov.test")
    created = prokov.post("projects", {"name": "While logs sleep"}, token=data["token"])
    assert created.status_code == 201, created.text
    ready = prokov.http.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["data"]["checks"]["logs"]["ok"] is False

    def entries(kind: str) -> list[dict]:
        lines = []
        for path in platform.paths.logs.glob(f"prokov-*-{kind}.log"):
            lines += [json.loads(line) for line in path.read_text().splitlines()]
        return lines

    assert any(e.get("event") == "login" and e["data"]["email"] == "ana@prokov.test" for e in entries("events"))
    audit = [e for e in entries("audit") if e.get("event") == "projects.create"]
    assert audit and audit[-1]["data"]["after"]["name"] == "While logs sleep"
