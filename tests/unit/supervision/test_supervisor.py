"""The supervisor's policy on fakes: dependency order, restarts with backoff, FATAL, health, stop order."""

from __future__ import annotations

import logging

import pytest

from domain.supervision import ServiceState
from tests.unit.supervision.conftest import Harness, config, harness

S = ServiceState


async def all_up(h: Harness) -> float:
    return await h.until(lambda: all(s.state is S.RUNNING for s in h.sup.services.values()))


async def test_each_service_starts_only_once_everything_it_depends_on_is_healthy(caplog):
    h = harness()
    h.probe.checks_to_ready = {"logs": 6, "db": 4, "gateway": 2}
    launched: list[str] = []
    caplog.set_level(logging.INFO, "sogoms.sogoctl")
    while not all(s.state is S.RUNNING for s in h.sup.services.values()):
        await h.sup.tick()
        for name in h.runner.started[len(launched) :]:
            deps = h.sup.services[name].spec.depends_on
            assert all(h.state(d) is S.RUNNING for d in deps), f"{name} started before {deps} were healthy"
            launched.append(name)
        h.clock.advance(0.05)
    assert launched == ["logs", "db", "gateway"]
    assert h.sup.ready_after is not None
    assert "all 3 services healthy in" in caplog.text


async def test_a_crashing_service_is_restarted_with_doubling_delays_then_fatal_while_the_rest_keeps_running(caplog):
    h = harness()
    await all_up(h)
    gateway, logs = h.runner.current["gateway"], h.runner.current["logs"]
    delays = []
    for n in (2, 3, 4):
        h.runner.current["db"].exit(-9)
        await h.sup.tick()
        assert h.state("db") is S.BACKOFF
        delays.append(await h.until(lambda n=n: h.runner.started.count("db") == n))
        await h.until(lambda: h.state("db") is S.RUNNING)
    assert delays == [pytest.approx(d, abs=0.06) for d in (1, 2, 4)]
    h.runner.current["db"].exit(-9)
    await h.run_for(120)
    assert h.state("db") is S.FATAL
    assert "killed by SIGKILL; gave up after 3 restarts within 300 s" in h.sup.services["db"].reason
    assert h.runner.started.count("db") == 4
    # dependents were told nothing: same processes, no signal, still running
    assert h.runner.current["gateway"] is gateway and gateway.signals == []
    assert h.runner.current["logs"] is logs and logs.signals == []
    assert h.state("gateway") is S.RUNNING and h.state("logs") is S.RUNNING
    assert "db is FATAL" in caplog.text


async def test_a_service_crashing_at_start_ends_fatal_and_its_dependents_wait():
    h = harness()
    h.runner.crash_at_start = {"db"}
    await h.until(lambda: h.state("db") is S.FATAL)
    assert h.runner.started == ["logs", "db", "db", "db", "db"]
    assert h.state("logs") is S.RUNNING
    assert h.state("gateway") is S.STOPPED
    assert h.sup.waiting_for(h.sup.services["gateway"]) == ["db"]
    assert h.sup.ready_after is not None  # the start is over: 1 of 3 healthy, db FATAL, the gateway blocked by it
    assert h.sup.services["db"].reason.startswith("exited with code 1; gave up after 3 restarts")


async def test_crashes_further_apart_than_the_window_never_add_up():
    h = harness(config(restart_window="5m", max_restarts=2))
    await all_up(h)
    for n in range(2, 8):
        h.runner.current["db"].exit(1)
        await h.sup.tick()
        assert h.state("db") is S.BACKOFF
        delay = await h.until(lambda n=n: h.runner.started.count("db") == n)
        assert delay == pytest.approx(1, abs=0.06)  # the backoff starts over each time
        await h.until(lambda: h.state("db") is S.RUNNING)
        h.clock.advance(400)
    assert h.sup.services["db"].restarts == 6


async def test_a_service_that_cannot_be_launched_backs_off_then_is_fatal():
    h = harness(config({"logs": []}))
    h.runner.cannot_launch = {"logs"}
    await h.until(lambda: h.state("logs") is S.FATAL)
    assert "cannot start /bin/logs: permission denied" in h.sup.services["logs"].reason
    assert h.sup.services["logs"].launches == 4


async def test_a_running_service_failing_its_checks_is_restarted_after_health_retries():
    h = harness()
    await all_up(h)
    old = h.runner.current["gateway"]
    h.probe.unhealthy = {"gateway"}
    await h.run_for(25)  # two failed checks (every 10 s): not yet
    assert old.signals == [] and h.sup.services["gateway"].failed_checks == 2
    await h.run_for(10)  # the third
    assert old.signals == ["TERM"]
    assert h.sup.services["gateway"].reason == "unhealthy: gateway did not answer 'health' in time"
    h.probe.unhealthy = set()
    await h.until(lambda: h.state("gateway") is S.RUNNING)
    assert h.runner.current["gateway"] is not old


async def test_one_failed_check_followed_by_a_good_one_restarts_nothing():
    h = harness()
    await all_up(h)
    old = h.runner.current["gateway"]
    h.probe.unhealthy = {"gateway"}
    await h.run_for(10)
    h.probe.unhealthy = set()
    await h.run_for(60)
    assert h.runner.current["gateway"] is old and old.signals == []
    assert h.sup.services["gateway"].failed_checks == 0


async def test_a_start_that_never_becomes_healthy_is_stopped_after_start_timeout():
    h = harness(config({"logs": []}))
    h.probe.checks_to_ready = {"logs": 10**9}
    await h.run_for(29)
    first = h.runner.current["logs"]
    assert h.state("logs") is S.STARTING and first.signals == []
    await h.run_for(2)
    assert first.signals == ["TERM"]
    assert "not healthy 30 s after its start" in h.sup.services["logs"].reason
    await h.until(lambda: h.runner.current["logs"] is not first)


async def test_shutdown_stops_dependents_first_and_kills_what_ignores_sigterm_past_its_deadline():
    h = harness()
    h.runner.ignores_term = {"gateway"}
    await all_up(h)
    before = h.clock.now()
    await h.sup.shutdown()
    assert h.runner.journal == ["gateway:TERM", "gateway:KILL", "db:TERM", "logs:TERM"]
    assert h.clock.now() - before >= 20  # the gateway had its stop_timeout to drain
    assert set(h.states().values()) == {"STOPPED"}


async def test_nothing_restarts_while_stopping():
    h = harness()
    await all_up(h)
    h.runner.current["logs"].exit(1)  # crashes while the gateway is being stopped
    await h.sup.shutdown()
    assert h.runner.started == ["logs", "db", "gateway"]
    assert set(h.states().values()) == {"STOPPED"}


@pytest.mark.parametrize(
    "code, said", [(1, "exited with code 1"), (-9, "killed by SIGKILL"), (-11, "killed by SIGSEGV")]
)
async def test_the_reason_says_how_it_ended(code, said):
    h = harness()
    await all_up(h)
    h.runner.current["db"].exit(code)
    await h.sup.tick()
    assert h.sup.services["db"].reason == said
