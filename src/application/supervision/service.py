"""One supervised service: its state, its process, its failures and last health, and how `status` shows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.supervision import HealthReport, ServiceSpec, ServiceState

from .ports import RunningProcess


@dataclass(eq=False)
class Service:
    name: str
    spec: ServiceSpec
    stop_timeout: float
    state: ServiceState = ServiceState.STOPPED
    process: RunningProcess | None = None
    started_at: float | None = None  # monotonic time of the current process's start
    healthy_at: float | None = None
    launches: int = 0
    failures: list[float] = field(default_factory=list)  # monotonic times of crashes, pruned to the window
    next_start: float = 0.0
    health: HealthReport | None = None
    checked_at: float | None = None
    next_check: float = 0.0
    failed_checks: int = 0
    reason: str = ""
    last_exit: int | None = None
    # while STOPPING: when SIGKILL is due, whether it was sent, what state follows, and whether to start again
    stop_deadline: float = 0.0
    killed: bool = False
    after_stop: ServiceState = ServiceState.STOPPED
    restart_after_stop: bool = False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def restarts(self) -> int:
        """Starts after the first one (automatic or asked for)."""
        return max(0, self.launches - 1)

    @property
    def has_health_check(self) -> bool:
        return bool(self.spec.health_socket or self.spec.health_url)

    def snapshot(self, now: float, waiting_for: list[str]) -> dict[str, Any]:
        """This service as `status` reports it (times in seconds, relative to `now`)."""
        running = self.process is not None and self.started_at is not None
        health: dict[str, Any] | None = None
        if self.health is not None:
            health = {
                "ok": self.health.ok,
                "note": self.health.note,
                "detail": self.health.detail,
                "checked_ago": round(now - self.checked_at, 3) if self.checked_at is not None else None,
            }
        return {
            "name": self.name,
            "state": self.state.value,
            "pid": self.pid,
            "uptime": round(now - self.started_at, 3) if running and self.started_at is not None else None,
            "restarts": self.restarts,
            "failures_in_window": len(self.failures),
            "health": health,
            "reason": self.reason,
            "last_exit": self.last_exit,
            "next_start_in": round(max(0.0, self.next_start - now), 3) if self.state is ServiceState.BACKOFF else None,
            "health_check": self.spec.health_socket or self.spec.health_url or None,
            "depends_on": list(self.spec.depends_on),
            "critical": self.spec.critical,
            "waiting_for": waiting_for,
        }
