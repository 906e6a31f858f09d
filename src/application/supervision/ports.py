"""What the supervisor needs from the outside: processes and health checks (time: application.ports.clock)."""

from __future__ import annotations

from typing import Protocol

from domain.supervision import HealthReport, ServiceSpec


class RunningProcess(Protocol):
    """One started service (the leader of its own process group)."""

    @property
    def pid(self) -> int: ...

    def exit_code(self) -> int | None:
        """None while it runs; its exit code once it has exited (negative: killed by that signal)."""
        ...

    def terminate(self) -> None:
        """Ask it to stop (SIGTERM): it drains in-flight work and exits."""
        ...

    def kill(self) -> None:
        """Stop it and everything it started, now (SIGKILL to its process group)."""
        ...

    def hangup(self) -> None:
        """Ask it to reload its configuration (SIGHUP)."""
        ...


class ProcessRunner(Protocol):
    def start(self, name: str, spec: ServiceSpec) -> RunningProcess:
        """Launch `spec`; raises a DomainError saying why when it cannot be launched at all."""
        ...

    def reap_strays(self) -> None:
        """Collect exited processes that are not ours (orphans handed to us when we run as PID 1)."""
        ...


class HealthProbe(Protocol):
    async def check(self, name: str, spec: ServiceSpec, timeout: float) -> HealthReport:
        """Ask the service whether it is healthy; never raises (a failure is a report with `error`)."""
        ...
