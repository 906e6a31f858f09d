"""The supervisor's ports: processes, the runner that starts them, the health probe."""

from __future__ import annotations

import itertools
from typing import Any

from application.supervision.ports import HealthProbe, ProcessRunner
from domain.errors import Unavailable
from domain.supervision import HealthReport, ServiceSpec


class FakeProcess:
    """A service process: `exit(code)` ends it; SIGTERM ends it unless `ignores_term`; `signals` lists what it
    got, and `journal` (shared by every process of a runner) says who got what, in order."""

    def __init__(self, name: str, pid: int, ignores_term: bool = False, journal: list[str] | None = None) -> None:
        self.name = name
        self._pid = pid
        self.code: int | None = None
        self.ignores_term = ignores_term
        self.signals: list[str] = []
        self.journal = journal if journal is not None else []

    @property
    def pid(self) -> int:
        return self._pid

    def exit(self, code: int) -> None:
        if self.code is None:
            self.code = code

    def exit_code(self) -> int | None:
        return self.code

    def _got(self, sig: str) -> None:
        self.signals.append(sig)
        self.journal.append(f"{self.name}:{sig}")

    def terminate(self) -> None:
        self._got("TERM")
        if not self.ignores_term:
            self.exit(-15)

    def kill(self) -> None:
        self._got("KILL")
        self.exit(-9)

    def hangup(self) -> None:
        self._got("HUP")


class FakeProcessRunner:
    """Starts FakeProcesses: `started` (names, in order), `current[name]`; `crash_at_start` exit 1 at once,
    `cannot_launch` raise like a missing binary, `ignores_term` ignore SIGTERM."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.current: dict[str, FakeProcess] = {}
        self.crash_at_start: set[str] = set()
        self.cannot_launch: set[str] = set()
        self.ignores_term: set[str] = set()
        self.journal: list[str] = []
        self._pids = itertools.count(1000)

    def start(self, name: str, spec: ServiceSpec) -> FakeProcess:
        if name in self.cannot_launch:
            raise Unavailable(f"cannot start {spec.binary}: permission denied")
        process = FakeProcess(name, next(self._pids), name in self.ignores_term, self.journal)
        if name in self.crash_at_start:
            process.exit(1)
        self.started.append(name)
        self.current[name] = process
        return process

    def reap_strays(self) -> None:
        return None


class FakeHealthProbe:
    """Healthy when the service's current process runs, `unhealthy` does not name it and it has been
    checked `checks_to_ready[name]` times since its start; `detail[name]` is what it answers."""

    def __init__(self, runner: FakeProcessRunner) -> None:
        self.runner = runner
        self.unhealthy: set[str] = set()
        self.checks_to_ready: dict[str, int] = {}
        self.detail: dict[str, dict[str, Any]] = {}
        self.checks: list[str] = []
        self._seen: dict[int, int] = {}

    async def check(self, name: str, spec: ServiceSpec, timeout: float) -> HealthReport:
        self.checks.append(name)
        process = self.runner.current.get(name)
        if process is None or process.code is not None:
            return HealthReport(False, error=f"{name} is unavailable")
        self._seen[process.pid] = self._seen.get(process.pid, 0) + 1
        if self._seen[process.pid] < self.checks_to_ready.get(name, 1):
            return HealthReport(False, error=f"{name} is unavailable")
        if name in self.unhealthy:
            return HealthReport(False, error=f"{name} did not answer 'health' in time")
        return HealthReport(True, self.detail.get(name, {"ok": True}))


# the fakes fit their ports (mypy checks these)
_runner: ProcessRunner = FakeProcessRunner()
_probe: HealthProbe = FakeHealthProbe(FakeProcessRunner())
