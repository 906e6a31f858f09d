"""Health checks in flight, at most one per service: started when due, collected once done, so a slow
check of one service never holds up the ticks that watch the others."""

from __future__ import annotations

import asyncio
import logging

from domain.supervision import HealthReport

from .ports import HealthProbe, RunningProcess
from .service import Service

log = logging.getLogger("sogoms.sogoctl")


class HealthChecks:
    def __init__(self, probe: HealthProbe, timeout: float) -> None:
        self._probe = probe
        self._timeout = timeout
        self._running: dict[str, tuple[Service, RunningProcess, asyncio.Task[HealthReport]]] = {}

    def busy(self, name: str) -> bool:
        return name in self._running

    def start(self, s: Service) -> None:
        """Check `s`'s current process (its result is ignored if that process is gone by then)."""
        if s.process is None or s.name in self._running:
            return
        task = asyncio.ensure_future(self._probe.check(s.name, s.spec, self._timeout))
        self._running[s.name] = (s, s.process, task)

    async def collect(self) -> list[tuple[Service, RunningProcess, HealthReport]]:
        """The checks that have finished (the fresh ones get one turn of the loop first)."""
        await asyncio.sleep(0)
        done = []
        for name, (s, process, task) in list(self._running.items()):
            if not task.done():
                continue
            del self._running[name]
            try:
                report = task.result()
            except Exception as exc:  # a probe must not stop the supervisor
                log.exception("%s: health check raised", name)
                report = HealthReport(False, error=f"health check failed: {type(exc).__name__}")
            done.append((s, process, report))
        return done

    def cancel_all(self) -> None:
        for _, _, task in self._running.values():
            task.cancel()
        self._running.clear()
