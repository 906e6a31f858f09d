"""sogoctl's domain: start and stop order, dependency errors, backoff and window counting, health notes."""

from __future__ import annotations

import pytest

from domain.errors import ConfigError
from domain.supervision import HealthReport, RestartPolicy, ServiceSpec, SupervisorConfig, SupervisorSettings


def cfg(**deps: list[str]) -> SupervisorConfig:
    return SupervisorConfig(services={n: ServiceSpec(binary=n, depends_on=tuple(d)) for n, d in deps.items()})


def test_start_order_puts_every_service_after_its_dependencies_and_keeps_file_order_otherwise():
    config = cfg(gateway=["db", "logs"], cron=["db"], db=["logs"], logs=[], push=[])
    assert config.start_order() == ["logs", "push", "db", "gateway", "cron"]
    assert config.stop_order() == ["cron", "gateway", "db", "push", "logs"]


def test_a_dependency_cycle_is_refused_naming_the_cycle():
    with pytest.raises(ConfigError, match=r"dependency cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)"):
        cfg(a=["c"], b=["a"], c=["b"]).start_order()


def test_unknown_self_and_disabled_dependencies_are_refused():
    with pytest.raises(ConfigError, match="'gateway' depends on unknown service 'dbx' \\(known: db, gateway\\)"):
        cfg(gateway=["dbx"], db=[]).start_order()
    with pytest.raises(ConfigError, match="'db' depends on itself"):
        cfg(db=["db"]).start_order()
    disabled = SupervisorConfig(
        services={"db": ServiceSpec("db", enabled=False), "gateway": ServiceSpec("gw", depends_on=("db",))}
    )
    with pytest.raises(ConfigError, match="'gateway' depends on 'db', which is disabled"):
        disabled.start_order()
    with pytest.raises(ConfigError, match="no service to run"):
        SupervisorConfig(services={"db": ServiceSpec("db", enabled=False)}).start_order()


def test_disabled_services_are_left_out_of_the_order():
    config = SupervisorConfig(services={"a": ServiceSpec("a"), "mail": ServiceSpec("m", enabled=False)})
    assert config.start_order() == ["a"]


def test_backoff_doubles_from_restart_delay_up_to_max_delay():
    policy = RestartPolicy(restart_delay=2, max_delay=10)
    assert [policy.delay(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]


def test_window_keeps_only_recent_failures_and_gives_up_past_max_restarts():
    policy = RestartPolicy(max_restarts=3, restart_window=60)
    assert policy.recent([0, 30, 61, 100], now=120) == [61, 100]
    assert not policy.gives_up(3)
    assert policy.gives_up(4)
    assert RestartPolicy(max_restarts=0).gives_up(1)


def test_supervisor_settings_take_durations_and_refuse_bad_ones():
    policy = SupervisorSettings(health_interval="1m30s", restart_delay=0.5, restart_window="10m").policy()
    assert (policy.health_interval, policy.restart_delay, policy.restart_window) == (90, 0.5, 600)
    with pytest.raises(ValueError, match="restart_delay: expected a duration"):
        SupervisorSettings(restart_delay="soon")
    with pytest.raises(ValueError, match="health_interval must be more than 0"):
        SupervisorSettings(health_interval=0)
    with pytest.raises(ValueError, match="max_restarts"):
        SupervisorSettings(max_restarts=-1)


def test_service_spec_checks_its_health_and_env():
    with pytest.raises(ValueError, match="health_socket or health_url, not both"):
        ServiceSpec("x", health_socket="/s", health_url="http://h/health")
    with pytest.raises(ValueError, match="http:// or https://"):
        ServiceSpec("x", health_url="localhost:8080/health")
    with pytest.raises(ValueError, match="binary must not be empty"):
        ServiceSpec(" ")
    spec = ServiceSpec("x", env={"A": 2, "B": True, "C": "c"}, stop_timeout="5s")
    assert spec.environment == {"A": "2", "B": "true", "C": "c"}
    assert spec.stop_seconds(RestartPolicy(stop_timeout=25)) == 5
    assert ServiceSpec("x").stop_seconds(RestartPolicy(stop_timeout=25)) == 25


def test_health_note_shows_the_error_a_failed_reload_or_a_degraded_dependency():
    assert HealthReport(False, error="sogoms-db is unavailable").note == "sogoms-db is unavailable"
    gateway = {"status": "ok", "config": {"apps": ["prokov"], "reload_error": "app x: unknown key `hots`"}}
    assert HealthReport(True, gateway).note == "reload failed: app x: unknown key `hots`"
    assert HealthReport(True, {"status": "ok", "config": {"reload_error": None}}).note == "ok"
    db = {"ok": False, "apps": {"prokov": {"ok": False, "error": "connection refused"}}}
    assert HealthReport(True, db).note == "degraded: connection refused"
    assert HealthReport(False, {"body": "x"}, "HTTP 500").note == "HTTP 500"
