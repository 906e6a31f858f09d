"""The service's actions: list with next runs, trigger by hand, status history, health."""

from __future__ import annotations

import asyncio

import pytest

from domain.cron import RetryPolicy
from domain.errors import BadRequest, Conflict, NotFound, Unavailable
from tests.fakes.cron import FakeRunStore
from tests.unit.cron.conftest import Cron, RecordingRunner, app_cron, paris, spec


def crons():
    return {
        "prokov": app_cron(
            {
                "tasks_today": spec("0 8 * * 1-5", description="daily digest"),
                "off": spec("0 3 * * *", enabled=False),
            },
            retry=RetryPolicy(3, "5m"),
        ),
        "koprogo": app_cron({}),
    }


async def test_list_gives_next_run_in_the_apps_timezone_and_utc():
    cron = Cron(paris(2026, 5, 8, 9, 0), crons())  # a Friday
    jobs = await cron.actions.list("prokov")
    assert [j["name"] for j in jobs] == ["off", "tasks_today"]
    off, tasks = jobs
    assert tasks["next_run"] == "2026-05-11T08:00:00+02:00" and tasks["next_run_utc"] == "2026-05-11T06:00:00Z"
    assert (tasks["type"], tasks["schedule"], tasks["enabled"], tasks["timezone"]) == (
        "service",
        "0 8 * * 1-5",
        True,
        "Europe/Paris",
    )
    assert tasks["last_run"] is None and tasks["description"] == "daily digest"
    assert off["enabled"] is False and off["next_run"] is None
    assert await cron.actions.list("koprogo") == []
    with pytest.raises(NotFound, match="Unknown app 'nope'"):
        await cron.actions.list("nope")


async def test_trigger_runs_now_once_and_shows_in_status():
    runner = RecordingRunner(Unavailable("smtp down"))
    cron = Cron(paris(2026, 5, 8, 9, 0), crons(), runner)
    failed = await cron.actions.trigger("prokov", "tasks_today")
    assert failed["status"] == "failed" and failed["attempts"] == 1 and failed["kind"] == "manual"
    done = await cron.actions.trigger("prokov", "off")  # a disabled job can still be run by hand
    assert done["status"] == "success" and done["result"] == {"ok": True, "attempt": 1}
    assert done["run_id"] == done["id"] and done["scheduled_for"] is None
    history = await cron.actions.status("prokov")
    assert [(r["job"], r["status"]) for r in history["runs"]] == [("off", "success"), ("tasks_today", "failed")]
    assert history["runs"][0]["claimed_at"] == "2026-05-08T07:00:00Z"
    only = await cron.actions.status("prokov", "tasks_today", limit=5)
    assert [r["id"] for r in only["runs"]] == [failed["run_id"]]
    listed = {j["name"]: j for j in await cron.actions.list("prokov")}
    assert listed["tasks_today"]["last_run"]["status"] == "failed"


async def test_trigger_errors_are_clear():
    cron = Cron(paris(2026, 5, 8, 9, 0), crons())
    with pytest.raises(NotFound, match="has no job 'nope' \\(jobs: off, tasks_today\\)"):
        await cron.actions.trigger("prokov", "nope")
    with pytest.raises(BadRequest, match="limit"):
        await cron.actions.status("prokov", limit=0)
    with pytest.raises(NotFound):
        await cron.actions.status("prokov", "nope")


async def test_trigger_while_the_job_runs_is_a_conflict():
    runner = RecordingRunner()
    runner.block = asyncio.Event()
    cron = Cron(paris(2026, 5, 8, 9, 0), crons(), runner)
    started = await cron.actions.trigger("prokov", "tasks_today", wait=False)
    assert started["status"] == "running"
    await asyncio.sleep(0)
    with pytest.raises(Conflict, match="already running"):
        await cron.actions.trigger("prokov", "tasks_today")
    runner.block.set()
    await cron.actions.close()
    statuses = [r["status"] for r in (await cron.actions.status("prokov"))["runs"]]
    assert statuses == ["skipped", "success"]


async def test_health_counts_jobs():
    cron = Cron(paris(2026, 5, 8, 9, 0), crons())
    health = await cron.actions.health()
    assert health["ok"] and health["apps"]["prokov"] == {"jobs": 2, "enabled": 1}
    assert health["running"] == 0 and health["instance"] == "test"


async def test_list_still_answers_when_the_history_cannot_be_read():
    class DownStore(FakeRunStore):
        async def history(self, app_id, job, limit):
            raise Unavailable("database down")

    cron = Cron(paris(2026, 5, 8, 9, 0), crons(), store=DownStore())
    jobs = {j["name"]: j for j in await cron.actions.list("prokov")}
    assert jobs["tasks_today"]["last_run"] is None and jobs["tasks_today"]["next_run"]
    with pytest.raises(Unavailable):
        await cron.actions.status("prokov")
