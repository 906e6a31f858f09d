"""The control socket's actions: status, reload (SIGHUP), restart, stop, health."""

from __future__ import annotations

from typing import Any

from domain.errors import BadRequest, Unavailable
from domain.supervision import ServiceState

from .ports import Ticker
from .service import Service
from .supervisor import Supervisor

S = ServiceState
CONTROL_ACTIONS = ("status", "reload", "restart", "stop", "health")


class SupervisorControl:
    """What `sogoctl status|reload|restart|stop` (and the admin UI) ask the running supervisor."""

    def __init__(self, supervisor: Supervisor, clock: Ticker, *, reload_settle: float = 1.0) -> None:
        self._sup = supervisor
        self._clock = clock
        self._settle = reload_settle

    async def status(self) -> dict[str, Any]:
        """Every service: state, pid, uptime, restarts, last health (with what the service said)."""
        sup, now = self._sup, self._clock.now()
        return {
            "uptime": round(now - sup.began, 3),
            "ready_after": None if sup.ready_after is None else round(sup.ready_after, 3),
            "stopping": sup.stopping or sup.stop_requested,
            "services": [sup.services[n].snapshot(now, sup.waiting_for(sup.services[n])) for n in sup.order],
        }

    async def health(self) -> dict[str, Any]:
        states = {n: s.state.value for n, s in self._sup.services.items()}
        return {
            "ok": True,
            "all_healthy": all(v == S.RUNNING.value for v in states.values()),
            "services": states,
        }

    async def reload(self, service: str = "") -> dict[str, Any]:
        """SIGHUP to `service` (every running service that reloads, in start order, when empty); then its health."""
        sup = self._sup
        if service:
            targets = [sup.get(service)]
            if not targets[0].spec.reload:
                raise BadRequest(f"{service} does not reload (reload: false in sogoctl.yaml); restart it instead")
            if targets[0].process is None:
                raise Unavailable(f"{service} is not running (state {targets[0].state.value})")
        else:
            targets = [s for n in sup.order if (s := sup.services[n]).process is not None and s.spec.reload]
        signalled = []
        for s in targets:
            if s.process is not None:
                s.process.hangup()
                signalled.append((s, s.process))
        await self._clock.sleep(self._settle)
        results = []
        for s, process in signalled:
            if s.has_health_check and s.process is process:
                report = await sup.probe.check(s.name, s.spec, sup.policy.health_timeout)
                sup.apply_health(s, process, report, self._clock.now())
            results.append(s.snapshot(self._clock.now(), sup.waiting_for(s)))
        return {"reloaded": results}

    async def restart(self, service: str) -> dict[str, Any]:
        """Stop `service` (draining) and start it again now, even if FATAL; its crash count starts over."""
        sup = self._sup
        s = sup.get(service)
        if sup.stopping or sup.stop_requested:
            raise Unavailable("sogoctl is stopping")
        before = s.launches
        s.failures.clear()
        s.reason = ""
        sup.begin_stop(s, self._clock.now(), then=S.STOPPED, restart=True)
        deadline = self._clock.now() + s.stop_timeout + sup.policy.start_timeout + 5
        while self._clock.now() < deadline and not self._settled(s, before):
            await self._clock.sleep(sup.step)
        return s.snapshot(self._clock.now(), sup.waiting_for(s))

    @staticmethod
    def _settled(s: Service, launches_before: int) -> bool:
        if s.launches == launches_before:
            return False
        return s.state in (S.RUNNING, S.BACKOFF, S.FATAL)

    async def stop(self) -> dict[str, Any]:
        """Stop every service (reverse order, draining) and then the supervisor."""
        self._sup.request_stop()
        return {"stopping": True, "order": list(reversed(self._sup.order))}
