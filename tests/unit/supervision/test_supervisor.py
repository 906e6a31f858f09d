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


def critical_config(**policy: object) -> object:
    from domain.supervision import ServiceSpec, SupervisorConfig, SupervisorSettings
    from tests.unit.supervision.conftest import PLATFORM, POLICY

    specs = {
        name: ServiceSpec(
            binary=f"/bin/{name}", health_socket=f"/run/{name}.sock", depends_on=tuple(deps), critical=name == "db"
        )
        for name, deps in PLATFORM.items()
    }
    return SupervisorConfig(supervisor=SupervisorSettings(**{**POLICY, **policy}), services=specs)  # type: ignore[arg-type]


async def crash_and_time_restart(h: Harness, n: int) -> float:
    h.runner.current["db"].exit(-9)
    await h.sup.tick()
    delay = await h.until(lambda: h.runner.started.count("db") == n)
    await h.until(lambda: h.state("db") is S.RUNNING)
    return delay


async def test_a_critical_service_is_never_fatal_and_waits_at_most_critical_max_delay(caplog):
    """Issue 11 item 7: sogoms-db's 5th restart cost 34 s and its 6th crash made it FATAL (the API 503 for good)."""
    h = harness(critical_config(max_delay="60s", critical_max_delay="5s"))  # type: ignore[arg-type]
    await all_up(h)
    delays = [await crash_and_time_restart(h, n) for n in range(2, 10)]
    assert delays == [pytest.approx(d, abs=0.06) for d in (1, 2, 4, 5, 5, 5, 5, 5)]
    assert h.state("db") is S.RUNNING and h.sup.services["db"].restarts == 8
    health = await h.control.health()
    assert health["crash_looping"]["db"].startswith("8 failures within 300 s") and health["fatal"] == {}
    assert "db is crash-looping" in caplog.text
    # the same crashes make a service that is not critical FATAL, and the supervisor's health says so
    for _ in range(4):  # max_restarts 3: the 4th crash in the window is one too many
        h.runner.current["gateway"].exit(1)
        await h.sup.tick()
        await h.until(lambda: h.state("gateway") in (S.RUNNING, S.FATAL))
    assert h.state("gateway") is S.FATAL
    assert "gateway" in (await h.control.health())["fatal"]


async def test_a_service_healthy_for_healthy_reset_has_its_crashes_forgiven():
    h = harness(critical_config(healthy_reset="60s"))  # type: ignore[arg-type]
    await all_up(h)
    assert [await crash_and_time_restart(h, n) for n in (2, 3, 4)] == [pytest.approx(d, abs=0.06) for d in (1, 2, 4)]
    await h.run_for(61)  # healthy for a minute: the backoff starts over
    assert h.sup.services["db"].failures == []
    assert await crash_and_time_restart(h, 5) == pytest.approx(1, abs=0.06)


async def test_fatal_and_crash_looping_services_are_alerts_for_the_admin():
    from adapters.ipc.controls import service_state

    h = harness(critical_config())  # type: ignore[arg-type]
    await all_up(h)
    for _ in range(5):
        await crash_and_time_restart(h, h.runner.started.count("db") + 1)
    rows = {s["name"]: service_state(s) for s in (await h.control.status())["services"]}
    assert rows["db"].alert.startswith("crash-looping (5 failures in the window)")
    assert rows["logs"].alert == "" and rows["gateway"].alert == ""
    fatal = service_state({"name": "push", "state": "FATAL", "reason": "exited with code 1; gave up after 5 restarts"})
    assert fatal.alert.startswith("FATAL, given up on: exited with code 1")
