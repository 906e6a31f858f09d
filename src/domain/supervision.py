"""What sogoctl supervises (`config/sogoctl.yaml`): the services, their order, and the restart policy."""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from domain.durations import parse_duration
from domain.errors import ConfigError


class ServiceState(StrEnum):
    STOPPED = "STOPPED"  # not running: not started yet (waiting for its dependencies) or stopped
    STARTING = "STARTING"  # launched, not yet healthy
    RUNNING = "RUNNING"  # healthy
    BACKOFF = "BACKOFF"  # crashed or unhealthy: waiting before the next start
    STOPPING = "STOPPING"  # sent SIGTERM, draining
    FATAL = "FATAL"  # restarted too often within the window: given up on


@dataclass(frozen=True, slots=True)
class RestartPolicy:
    """The supervisor section in seconds, with the backoff and the window counting."""

    health_interval: float = 10.0
    health_timeout: float = 2.0
    health_retries: int = 3
    start_timeout: float = 30.0
    restart_delay: float = 2.0
    max_delay: float = 60.0
    max_restarts: int = 5
    restart_window: float = 300.0
    stop_timeout: float = 25.0
    healthy_reset: float = 60.0  # healthy this long: its past crashes are forgiven (the backoff starts over)
    critical_max_delay: float = 5.0  # a critical service waits at most this long before a restart

    def delay(self, attempt: int, critical: bool = False) -> float:
        """Wait before restart number `attempt` (1 = the first): restart_delay doubled each time, capped (lower
        for a critical service)."""
        cap = min(self.max_delay, self.critical_max_delay) if critical else self.max_delay
        return float(min(cap, self.restart_delay * 2 ** max(0, attempt - 1)))

    def recent(self, failures: list[float], now: float) -> list[float]:
        """The failure times still inside the restart window ending at `now`."""
        return [t for t in failures if now - t < self.restart_window]

    def gives_up(self, failures_in_window: int, critical: bool = False) -> bool:
        """True once a failure would need more than max_restarts restarts within the window; never for a critical
        service (the platform cannot work without it: it keeps being restarted, and is reported crash-looping)."""
        return not critical and failures_in_window > self.max_restarts

    def crash_looping(self, failures_in_window: int) -> bool:
        return failures_in_window > self.max_restarts


def _seconds(value: str | float, name: str) -> float:
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


@dataclass(frozen=True, slots=True)
class SupervisorSettings:
    """The `supervisor:` section as written (durations like "10s")."""

    health_interval: str | float = "10s"
    health_timeout: str | float = "2s"
    health_retries: int = 3
    start_timeout: str | float = "30s"
    restart_delay: str | float = "2s"
    max_delay: str | float = "60s"
    max_restarts: int = 5
    restart_window: str | float = "5m"
    stop_timeout: str | float = "25s"
    healthy_reset: str | float = "60s"
    critical_max_delay: str | float = "5s"

    def __post_init__(self) -> None:
        self.policy()  # every duration must parse
        if self.max_restarts < 0 or self.health_retries < 1:
            raise ValueError("max_restarts must be 0 or more and health_retries 1 or more")

    def policy(self) -> RestartPolicy:
        s = _seconds
        interval = s(self.health_interval, "health_interval")
        if interval <= 0:
            raise ValueError("health_interval must be more than 0")
        return RestartPolicy(
            health_interval=interval,
            health_timeout=s(self.health_timeout, "health_timeout"),
            health_retries=self.health_retries,
            start_timeout=s(self.start_timeout, "start_timeout"),
            restart_delay=s(self.restart_delay, "restart_delay"),
            max_delay=s(self.max_delay, "max_delay"),
            max_restarts=self.max_restarts,
            restart_window=s(self.restart_window, "restart_window"),
            stop_timeout=s(self.stop_timeout, "stop_timeout"),
            healthy_reset=s(self.healthy_reset, "healthy_reset"),
            critical_max_delay=s(self.critical_max_delay, "critical_max_delay"),
        )


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    """One entry of `services:`: how to start the service and how to know it is healthy."""

    binary: str
    args: tuple[str, ...] = ()
    health_socket: str | None = None  # IPC `health` on this Unix socket
    health_url: str | None = None  # HTTP GET, 2xx = healthy
    depends_on: tuple[str, ...] = ()
    env: dict[str, str | int | float | bool] = field(default_factory=dict)
    stop_timeout: str | float | None = None  # overrides the supervisor's for this service
    enabled: bool = True
    reload: bool = True  # false: it does not reload on SIGHUP, so `sogoctl reload` leaves it alone
    critical: bool = (
        False  # the platform cannot work without it: never FATAL, restarts at most critical_max_delay apart
    )

    def __post_init__(self) -> None:
        if not self.binary.strip():
            raise ValueError("binary must not be empty")
        if self.health_socket and self.health_url:
            raise ValueError("give health_socket or health_url, not both")
        if self.health_url and not self.health_url.startswith(("http://", "https://")):
            raise ValueError(f"health_url must be an http:// or https:// URL, got {self.health_url!r}")
        if self.stop_timeout is not None:
            _seconds(self.stop_timeout, "stop_timeout")

    @property
    def environment(self) -> dict[str, str]:
        """`env` as strings (YAML may give numbers or booleans)."""
        return {k: (str(v).lower() if isinstance(v, bool) else str(v)) for k, v in self.env.items()}

    def stop_seconds(self, policy: RestartPolicy) -> float:
        return policy.stop_timeout if self.stop_timeout is None else _seconds(self.stop_timeout, "stop_timeout")


@dataclass(frozen=True, slots=True)
class SupervisorConfig:
    """The whole sogoctl.yaml: checked for unknown or disabled dependencies and cycles by `start_order`."""

    supervisor: SupervisorSettings = field(default_factory=SupervisorSettings)
    services: dict[str, ServiceSpec] = field(default_factory=dict)

    @property
    def enabled(self) -> dict[str, ServiceSpec]:
        return {name: spec for name, spec in self.services.items() if spec.enabled}

    def start_order(self) -> list[str]:
        """Enabled services, each after everything it depends on (file order among equals); ConfigError if impossible."""
        services = self.enabled
        if not services:
            raise ConfigError("no service to run (`services:` is empty or every service is disabled)")
        for name, spec in services.items():
            for dep in spec.depends_on:
                if dep == name:
                    raise ConfigError(f"service {name!r} depends on itself")
                if dep not in self.services:
                    known = ", ".join(sorted(self.services))
                    raise ConfigError(f"service {name!r} depends on unknown service {dep!r} (known: {known})")
                if dep not in services:
                    raise ConfigError(f"service {name!r} depends on {dep!r}, which is disabled")
        sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
        for name, spec in services.items():
            sorter.add(name, *spec.depends_on)
        position = {name: i for i, name in enumerate(services)}
        try:
            sorter.prepare()
        except graphlib.CycleError as exc:
            cycle: list[Any] = exc.args[1]
            raise ConfigError("dependency cycle: " + " -> ".join(str(n) for n in cycle)) from None
        order: list[str] = []
        while sorter.is_active():
            ready = sorted(sorter.get_ready(), key=position.__getitem__)
            order.extend(ready)
            sorter.done(*ready)
        return order

    def stop_order(self) -> list[str]:
        """Dependents first: the start order reversed."""
        return list(reversed(self.start_order()))

    def dependents(self, name: str) -> list[str]:
        return [n for n, spec in self.enabled.items() if name in spec.depends_on]


@dataclass(frozen=True, slots=True)
class HealthReport:
    """One health check: ok or not, what the service said (its `health` result or HTTP body), or why it failed.

    `ok` means the service itself answers; a service that answers but reports a problem behind it
    (`"ok": false`, e.g. sogoms-db with an unreachable MariaDB) is degraded, not restarted: restarting
    it would not bring the database back."""

    ok: bool
    detail: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def note(self) -> str:
        """One line for `status`: the error, or a reload failure the service reports (gateway `config.reload_error`)."""
        if self.error:
            return self.error
        reload_error = _find(self.detail, "reload_error")
        if reload_error:
            return f"reload failed: {reload_error}"
        if self.ok and self.detail.get("ok") is False:  # it answers, but something behind it does not
            return f"degraded: {_find(self.detail, 'error') or 'reports ok: false'}"
        return "ok" if self.ok else "unhealthy"


def _find(tree: Any, key: str) -> Any:
    if isinstance(tree, dict):
        if tree.get(key):
            return tree[key]
        for value in tree.values():
            found = _find(value, key)
            if found:
                return found
    return None
