"""sogoms-cron as a real process: its actions over the socket, run logs, SIGHUP reload, refusing bad config."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess

import pytest

from adapters.ipc.client import IpcClient
from domain.errors import BadRequest, InternalError, NotFound
from tests.support.cron import hold_scheduled_firings, running_cron
from tests.support.processes import BIN

EXTRA_JOB = """
  smtp_health:
    schedule: "*/5 * * * *"
    type: service
    service: smtp
    action: health
    enabled: false
"""


@pytest.fixture
def cron_process(platform, transport, request):
    hold_scheduled_firings(platform)
    args: tuple[str, ...] = ()
    if transport == "ipc":
        request.getfixturevalue("services")
        args = ("--db", "ipc", "--logs", "ipc")
    with running_cron(platform, *args) as (proc, smtp):
        yield platform, proc, smtp


@pytest.fixture
async def client(cron_process):
    platform, _, _ = cron_process
    c = IpcClient(platform.paths.socket("cron"), service="sogoms-cron", timeout=60)
    yield c
    await c.close()


async def test_list_trigger_status_health_over_the_socket(cron_process, client):
    platform, _, smtp = cron_process
    [job] = await client.call("list", {"app_id": "prokov"})
    assert (job["name"], job["type"], job["schedule"], job["enabled"]) == (
        "tasks_today",
        "query_email",
        "0 8 * * 1-5",
        False,
    )
    assert await client.call("list", {"app_id": "koprogo"}) == []
    run = await client.call("trigger", {"app_id": "prokov", "job": "tasks_today"})
    assert run["status"] == "success", run
    assert run["result"]["mails"] == 2
    assert sorted(c["to"] for c in smtp.of()) == ["ana@prokov.test", "ben@prokov.test"]
    status = await client.call("status", {"app_id": "prokov", "job": "tasks_today", "limit": 5})
    assert [(r["id"], r["status"], r["kind"]) for r in status["runs"]] == [(run["run_id"], "success", "manual")]
    health = await client.call("health", {})
    assert health["ok"] and health["apps"]["prokov"] == {"jobs": 1, "enabled": 0}
    lines = await wait_for_log(platform)
    assert lines[-1]["event"] == "cron.run"
    assert {k: lines[-1]["data"][k] for k in ("job", "result", "run_id")} == {
        "job": "tasks_today",
        "result": "success",
        "run_id": run["run_id"],
    }
    assert isinstance(lines[-1]["data"]["duration_ms"], int)


async def wait_for_log(platform) -> list[dict]:
    for _ in range(100):
        files = sorted(platform.paths.logs.glob("prokov-*-cron.log"))
        if files and files[-1].read_text().strip():
            return [json.loads(line) for line in files[-1].read_text().splitlines()]
        await asyncio.sleep(0.05)
    raise AssertionError("no cron log line written")


sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])
inproc_only = pytest.mark.parametrize("transport", ["inproc"])


@sqlite_only
@inproc_only
async def test_bad_requests_get_clear_errors_and_the_service_lives_on(cron_process, client):
    _, proc, _ = cron_process
    with pytest.raises(NotFound, match="Unknown app 'nope'"):
        await client.call("list", {"app_id": "nope"})
    with pytest.raises(NotFound, match="has no job 'nope'"):
        await client.call("trigger", {"app_id": "prokov", "job": "nope"})
    with pytest.raises(BadRequest, match="invalid params for 'trigger'"):
        await client.call("trigger", {"app_id": "prokov"})
    with pytest.raises(BadRequest, match="limit"):
        await client.call("status", {"app_id": "prokov", "limit": 100000})
    with pytest.raises(InternalError) as err:
        await client.call("explode", {})
    assert err.value.code == "UNKNOWN_ACTION"
    assert proc.poll() is None
    assert (await client.call("health", {}))["ok"]


@sqlite_only
@inproc_only
async def test_sighup_reloads_cron_yaml_and_a_bad_file_keeps_the_previous_jobs(cron_process, client):
    platform, proc, _ = cron_process
    path = platform.paths.config / "apps" / "prokov" / "cron.yaml"
    path.write_text(path.read_text() + EXTRA_JOB)
    os.kill(proc.pid, signal.SIGHUP)
    names = await wait_for_jobs(client, {"tasks_today", "smtp_health"})
    assert names == {"tasks_today", "smtp_health"}
    path.write_text(path.read_text().replace('"*/5 * * * *"', '"*/5 * * *"'))
    os.kill(proc.pid, signal.SIGHUP)
    await asyncio.sleep(0.3)
    assert {j["name"] for j in await client.call("list", {"app_id": "prokov"})} == {"tasks_today", "smtp_health"}
    assert proc.poll() is None
    assert "reload refused" in (platform.paths.logs / "sogoms-cron.out").read_text()


async def wait_for_jobs(client, wanted: set[str]) -> set[str]:
    names: set[str] = set()
    for _ in range(100):
        names = {j["name"] for j in await client.call("list", {"app_id": "prokov"})}
        if names == wanted:
            break
        await asyncio.sleep(0.05)
    return names


@sqlite_only
def test_an_invalid_cron_yaml_stops_the_start_with_file_and_key(platform):
    path = platform.paths.config / "apps" / "prokov" / "cron.yaml"
    path.write_text(path.read_text().replace("type: query_email", "type: sql_mail"))
    done = subprocess.run([str(BIN / "sogoms-cron")], env=platform.env, capture_output=True, timeout=30)
    assert done.returncode == 2
    assert f"{path}: at `jobs.tasks_today.type`: unknown job type 'sql_mail'" in done.stderr.decode()
