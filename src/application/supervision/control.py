"""The control socket's actions: status, reload (SIGHUP), restart, stop, health."""

from __future__ import annotations

from typing import Any

from application.ports.clock import Clock, Pause
from domain.errors import BadRequest, Unavailable
from domain.supervision import HealthReport, ServiceState

from .service import Service
from .supervisor import Supervisor

S = ServiceState
CONTROL_ACTIONS = ("status", "reload", "restart", "stop", "health")
RELOAD_WAIT = 20.0  # how long `reload` waits for a service to finish reloading before reporting its health


class SupervisorControl:
    """What `sogoctl status|reload|restart|stop` (and the admin UI) ask the running supervisor."""

    def __init__(self, supervisor: Supervisor, clock: Clock, pause: Pause, *, reload_settle: float = 1.0) -> None:
        self._sup = supervisor
        self._clock, self._pause = clock, pause
        self._settle = reload_settle

    async def status(self) -> dict[str, Any]:
        """Every service: state, pid, uptime, restarts, last health (with what the service said)."""
        sup, now = self._sup, self._clock.now()
        return {
            "uptime": round(now - sup.began, 3),
            "ready_after": None if sup.ready_after is None else round(sup.ready_after, 3),
            "stopping": sup.stopping or sup.stop_requested,
            "services": [
                {
                    **sup.services[n].snapshot(now, sup.waiting_for(sup.services[n])),
                    "crash_looping": sup.services[n].spec.critical
                    and sup.policy.crash_looping(len(sup.services[n].failures)),
                }
                for n in sup.order
            ],
        }

    async def health(self) -> dict[str, Any]:
        """The supervisor answers (ok); `fatal` (given up on) and `crash_looping` (critical, failing again and again)
        are what the gateway's /ready and the admin alert on."""
        sup = self._sup
        states = {n: s.state.value for n, s in sup.services.items()}
        looping = [n for n, s in sup.services.items() if s.spec.critical and sup.policy.crash_looping(len(s.failures))]
        return {
            "ok": True,
            "all_healthy": all(v == S.RUNNING.value for v in states.values()),
            "services": states,
            "fatal": {n: s.reason for n, s in sup.services.items() if s.state is S.FATAL},
            "crash_looping": {
                n: f"{len(sup.services[n].failures)} failures within {sup.policy.restart_window:g} s"
                f"{': ' + sup.services[n].reason if sup.services[n].reason else ''}"
                for n in looping
            },
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
        # services that count their reloads in `health` are waited for until this reload is done, whatever it takes
        before = {s.name: await self._reload_count(s) for s in targets if s.process is not None}
        signalled = []
        for s in targets:
            if s.process is not None:
                s.process.hangup()
                signalled.append((s, s.process))
        await self._pause.sleep(self._settle if any(c is None for c in before.values()) else self._sup.step)
        results = []
        for s, process in signalled:
            if s.has_health_check and s.process is process:
                report = await self._after_reload(s, before.get(s.name))
                sup.apply_health(s, process, report, self._clock.now())
            results.append(s.snapshot(self._clock.now(), sup.waiting_for(s)))
        return {"reloaded": results}

    async def _reload_count(self, s: Service) -> int | None:
        if not s.has_health_check:
            return None
        report = await self._sup.probe.check(s.name, s.spec, self._sup.policy.health_timeout)
        return _reload_state(report)[0]

    async def _after_reload(self, s: Service, before: int | None) -> HealthReport:
        """The service's health once the reload after `before` has finished (or RELOAD_WAIT has passed)."""
        sup = self._sup
        deadline = self._clock.now() + RELOAD_WAIT
        while True:
            report = await sup.probe.check(s.name, s.spec, sup.policy.health_timeout)
            count, busy = _reload_state(report)
            if before is None or count is None or (count > before and not busy) or self._clock.now() >= deadline:
                return report
            await self._pause.sleep(sup.step)

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
            await self._pause.sleep(sup.step)
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


def _reload_state(report: HealthReport) -> tuple[int | None, bool]:
    """(reloads done or under way, one under way) from an IPC service's health; (None, False) if it says nothing."""
    state = report.detail.get("reload") if report.ok else None
    if not isinstance(state, dict) or not isinstance(state.get("count"), int):
        return None, False
    return state["count"], bool(state.get("in_progress"))
