"""The control socket's actions on fakes: status, reload, restart, stop, health."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from domain.errors import BadRequest, NotFound, Unavailable
from domain.supervision import ServiceState
from tests.unit.supervision.conftest import Harness, config, harness

S = ServiceState


async def all_up(h: Harness) -> None:
    await h.until(lambda: all(s.state is S.RUNNING for s in h.sup.services.values()))


async def test_status_reports_state_pid_uptime_restarts_and_what_the_health_check_said():
    h = harness()
    h.probe.detail["gateway"] = {"status": "ok", "config": {"apps": ["prokov"], "reload_error": "bad app.yaml"}}
    await all_up(h)
    h.runner.current["db"].exit(1)
    await h.run_for(0.5)
    status = await h.control.status()
    by_name = {s["name"]: s for s in status["services"]}
    assert [s["name"] for s in status["services"]] == ["logs", "db", "gateway"]
    assert by_name["logs"]["state"] == "RUNNING" and by_name["logs"]["pid"] == h.runner.current["logs"].pid
    assert by_name["logs"]["uptime"] > 0 and by_name["logs"]["restarts"] == 0
    assert by_name["db"]["state"] == "BACKOFF" and by_name["db"]["pid"] is None
    assert by_name["db"]["reason"] == "exited with code 1"
    assert 0 < by_name["db"]["next_start_in"] <= 1
    assert by_name["gateway"]["health"]["note"] == "reload failed: bad app.yaml"
    assert by_name["gateway"]["health"]["detail"]["config"]["apps"] == ["prokov"]
    assert by_name["gateway"]["depends_on"] == ["db", "logs"] and by_name["gateway"]["waiting_for"] == ["db"]
    assert status["ready_after"] is not None and status["stopping"] is False


async def test_reload_sends_sighup_and_answers_with_the_health_after_it():
    h = harness()
    await all_up(h)
    h.probe.detail["gateway"] = {"config": {"reload_error": "app demo3: unknown key `hots`"}}
    result = await h.control.reload("gateway")
    assert h.runner.journal == ["gateway:HUP"]
    [gateway] = result["reloaded"]
    assert gateway["health"]["note"] == "reload failed: app demo3: unknown key `hots`"
    assert gateway["state"] == "RUNNING"  # a failed reload keeps the service (and its old config) running


async def test_reload_without_a_service_signals_every_running_one_in_start_order():
    h = harness()
    await all_up(h)
    result = await h.control.reload()
    assert h.runner.journal == ["logs:HUP", "db:HUP", "gateway:HUP"]
    assert [s["name"] for s in result["reloaded"]] == ["logs", "db", "gateway"]


async def test_reload_refuses_an_unknown_or_stopped_service():
    h = harness()
    with pytest.raises(NotFound, match="no service 'sogowayy' \\(services: logs, db, gateway\\)"):
        await h.control.reload("sogowayy")
    with pytest.raises(Unavailable, match="gateway is not running \\(state STOPPED\\)"):
        await h.control.reload("gateway")


async def test_restart_of_a_running_service_drains_it_and_starts_a_new_one_leaving_the_others_alone():
    h = harness()
    await all_up(h)
    old, db = h.runner.current["gateway"], h.runner.current["db"]
    loop = asyncio.create_task(h.sup.run())
    entry = await h.control.restart("gateway")
    assert entry["state"] == "RUNNING" and entry["pid"] != old.pid and entry["restarts"] == 1
    assert old.signals == ["TERM"]
    assert h.runner.current["db"] is db and db.signals == []
    await h.control.stop()
    await loop


async def test_restart_brings_a_fatal_service_back_with_a_fresh_count():
    h = harness()
    h.runner.crash_at_start = {"db"}
    await h.until(lambda: h.state("db") is S.FATAL)
    h.runner.crash_at_start = set()
    loop = asyncio.create_task(h.sup.run())
    entry = await h.control.restart("db")
    assert entry["state"] == "RUNNING" and entry["failures_in_window"] == 0 and entry["reason"] == ""
    await asyncio.wait_for(_until_all_running(h), 5)  # its dependent, blocked so far, starts too
    await h.control.stop()
    await loop


async def _until_all_running(h: Harness) -> None:
    while not all(s.state is S.RUNNING for s in h.sup.services.values()):
        await asyncio.sleep(0)


async def test_stop_ends_the_run_after_stopping_everything_in_reverse_order():
    h = harness()
    loop = asyncio.create_task(h.sup.run())
    await asyncio.wait_for(_until_all_running(h), 5)
    assert (await h.control.health())["all_healthy"] is True
    answer = await h.control.stop()
    assert answer == {"stopping": True, "order": ["gateway", "db", "logs"]}
    await asyncio.wait_for(loop, 5)
    assert h.runner.journal == ["gateway:TERM", "db:TERM", "logs:TERM"]
    assert (await h.control.health())["services"] == {"logs": "STOPPED", "db": "STOPPED", "gateway": "STOPPED"}
    with pytest.raises(Unavailable, match="stopping"):
        await h.control.restart("db")


async def test_a_service_that_does_not_reload_is_left_out_of_reload_all_and_refused_by_name():
    cfg = config()
    cfg = replace(cfg, services={**cfg.services, "db": replace(cfg.services["db"], reload=False)})
    h = harness(cfg)
    await all_up(h)
    await h.control.reload()
    assert h.runner.journal == ["logs:HUP", "gateway:HUP"]
    with pytest.raises(BadRequest, match=r"db does not reload \(reload: false in sogoctl\.yaml\); restart it instead"):
        await h.control.reload("db")
