"""A supervisor on fakes: FakeProcessRunner, FakeHealthProbe and a FakeClock that moves only when told."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.supervision.control import SupervisorControl
from application.supervision.supervisor import Supervisor
from domain.supervision import ServiceSpec, ServiceState, SupervisorConfig, SupervisorSettings
from tests.fakes.clock import FakeClock
from tests.fakes.supervision import FakeHealthProbe, FakeProcessRunner

PLATFORM = {"logs": [], "db": ["logs"], "gateway": ["db", "logs"]}
POLICY = {
    "health_interval": "10s",
    "health_timeout": "2s",
    "health_retries": 3,
    "start_timeout": "30s",
    "restart_delay": "1s",
    "max_delay": "60s",
    "max_restarts": 3,
    "restart_window": "5m",
    "stop_timeout": "20s",
}


def config(services: dict[str, list[str]] | None = None, **policy: Any) -> SupervisorConfig:
    specs = {
        name: ServiceSpec(binary=f"/bin/{name}", health_socket=f"/run/{name}.sock", depends_on=tuple(deps))
        for name, deps in (services or PLATFORM).items()
    }
    return SupervisorConfig(supervisor=SupervisorSettings(**{**POLICY, **policy}), services=specs)


@dataclass
class Harness:
    sup: Supervisor
    runner: FakeProcessRunner
    probe: FakeHealthProbe
    clock: FakeClock
    control: SupervisorControl

    def state(self, name: str) -> ServiceState:
        return self.sup.services[name].state

    def states(self) -> dict[str, str]:
        return {n: s.state.value for n, s in self.sup.services.items()}

    async def run_for(self, seconds: float, step: float = 0.05) -> None:
        """Tick every `step` for `seconds` of fake time."""
        end = self.clock.now() + seconds
        while self.clock.now() < end:
            await self.sup.tick()
            self.clock.advance(step)

    async def until(self, predicate: Any, limit: float = 600.0, step: float = 0.05) -> float:
        """Tick until `predicate()` holds after a tick; the fake time from the call to that tick."""
        start = self.clock.now()
        while not predicate():
            assert self.clock.now() - start < limit, f"not reached in {limit} s: {self.states()}"
            self.clock.advance(step)
            await self.sup.tick()
        return self.clock.now() - start


def harness(cfg: SupervisorConfig | None = None) -> Harness:
    runner = FakeProcessRunner()
    probe = FakeHealthProbe(runner)
    clock = FakeClock(1000.0)
    sup = Supervisor(cfg or config(), runner, probe, clock, clock, step=0.05)
    return Harness(sup, runner, probe, clock, SupervisorControl(sup, clock, clock, reload_settle=0.5))
