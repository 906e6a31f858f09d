"""Keep every service alive: start in dependency order, watch health, restart with backoff, stop in reverse order.

Everything happens in `tick()` (reap exits, enforce stop deadlines, run due health checks, start what is
due), called every `step` seconds by `run()`; tests call it themselves with a FakeClock.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable

from application.ports.clock import Clock, Pause
from domain.errors import DomainError, NotFound
from domain.supervision import HealthReport, RestartPolicy, ServiceState, SupervisorConfig

from .checks import HealthChecks
from .ports import HealthProbe, ProcessRunner, RunningProcess
from .service import Service

log = logging.getLogger("sogoms.sogoctl")
S = ServiceState
KILL_GRACE = 5.0  # after SIGKILL, how long to wait for the exit before moving on


def describe_exit(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with code {code}"


class Supervisor:
    def __init__(
        self,
        config: SupervisorConfig,
        runner: ProcessRunner,
        probe: HealthProbe,
        clock: Clock,
        pause: Pause,
        *,
        step: float = 0.05,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.policy: RestartPolicy = config.supervisor.policy()
        self.order = config.start_order()
        self.services = {
            n: Service(n, config.services[n], config.services[n].stop_seconds(self.policy)) for n in self.order
        }
        self.runner, self.probe, self.clock, self.pause, self.step = runner, probe, clock, pause, step
        self.checks = HealthChecks(probe, self.policy.health_timeout)
        self._say = say  # how the start time is told (sogoctl prints it whatever the log level); else logged
        self.began = clock.now()
        self.ready_after: float | None = None
        self.stop_requested = False
        self.stopping = False

    def get(self, name: str) -> Service:
        service = self.services.get(name)
        if service is None:
            raise NotFound(f"no service {name!r} (services: {', '.join(self.order)})")
        return service

    def waiting_for(self, service: Service) -> list[str]:
        return [d for d in service.spec.depends_on if self.services[d].state is not S.RUNNING]

    async def run(self) -> None:
        """Start everything and keep it alive until `request_stop`, then stop everything."""
        self.began = self.clock.now()
        log.info("sogoctl: supervising %d services: %s", len(self.order), ", ".join(self.order))
        while not self.stop_requested:
            await self.tick()
            await self.pause.sleep(self.step)
        await self.shutdown()

    def request_stop(self) -> None:
        self.stop_requested = True

    async def tick(self) -> None:
        self.runner.reap_strays()
        now = self.clock.now()
        self._reap_all(now)
        self._enforce_deadlines(now)
        self._forgive(now)
        await self._check_health()
        if not self.stopping:
            self._start_due(self.clock.now())
        self._announce()

    # --- processes -------------------------------------------------------------------------------

    def _reap_all(self, now: float) -> None:
        for s in self.services.values():
            if s.process is not None and (code := s.process.exit_code()) is not None:
                self._exited(s, code, now)

    def _exited(self, s: Service, code: int, now: float) -> None:
        s.process, s.last_exit, s.started_at = None, code, None
        if s.state is S.STOPPING:
            log.info("%s stopped (%s)", s.name, describe_exit(code))
            s.state = s.after_stop
            if s.restart_after_stop:
                s.state, s.next_start, s.restart_after_stop = S.STOPPED, now, False
        elif self.stopping:
            s.state = S.STOPPED
        else:
            self._fail(s, now, describe_exit(code))

    def _forgive(self, now: float) -> None:
        """A service healthy for healthy_reset seconds since its last start: its crashes no longer count."""
        for s in self.services.values():
            if (
                s.failures
                and s.state is S.RUNNING
                and s.healthy_at is not None
                and now - s.healthy_at >= self.policy.healthy_reset
            ):
                log.info(
                    "%s healthy for %g s: its %d past failures forgiven", s.name, now - s.healthy_at, len(s.failures)
                )
                s.failures.clear()
                s.reason = ""

    def _fail(self, s: Service, now: float, reason: str) -> None:
        """A crash, a failed start or too many failed checks: back off, or give up past max_restarts."""
        s.failures = [*self.policy.recent(s.failures, now), now]
        count = len(s.failures)
        critical = s.spec.critical
        if self.policy.gives_up(count, critical):
            target = S.FATAL
            s.reason = (
                f"{reason}; gave up after {count - 1} restarts within {self.policy.restart_window:g} s "
                f"(max_restarts {self.policy.max_restarts})"
            )
            log.error("%s is FATAL: %s", s.name, s.reason)
        else:
            target = S.BACKOFF
            delay = self.policy.delay(count, critical)
            s.next_start, s.reason = now + delay, reason
            if critical and self.policy.crash_looping(count):
                s.reason = (
                    f"{reason}; crash-looping: {count} failures within {self.policy.restart_window:g} s "
                    f"(critical: restarted every {delay:g} s, never given up on)"
                )
                log.error("%s is crash-looping: %s", s.name, s.reason)
            else:
                log.warning("%s %s; restart %d of %d in %.2f s", s.name, reason, count, self.policy.max_restarts, delay)
        if s.process is not None:
            self.begin_stop(s, now, then=target)
        else:
            s.state = target

    def begin_stop(self, s: Service, now: float, *, then: ServiceState, restart: bool = False) -> None:
        """SIGTERM now, SIGKILL at the service's stop deadline; `then` is its state once it has exited."""
        s.after_stop, s.restart_after_stop = then, restart
        if s.process is None:
            s.state = then
            if restart:
                s.state, s.next_start, s.restart_after_stop = S.STOPPED, now, False
            return
        if s.state is not S.STOPPING:
            s.state, s.stop_deadline, s.killed = S.STOPPING, now + s.stop_timeout, False
            s.process.terminate()

    def _enforce_deadlines(self, now: float) -> None:
        for s in self.services.values():
            if s.state is S.STOPPING and s.process is not None and not s.killed and now >= s.stop_deadline:
                log.warning("%s did not stop within %.1f s: SIGKILL", s.name, s.stop_timeout)
                s.process.kill()
                s.killed = True

    def _start_due(self, now: float) -> None:
        for name in self.order:
            s = self.services[name]
            if s.state in (S.STOPPED, S.BACKOFF) and now >= s.next_start and not self.waiting_for(s):
                self._launch(s, now)

    def _launch(self, s: Service, now: float) -> None:
        s.launches += 1
        try:
            process = self.runner.start(s.name, s.spec)
        except DomainError as exc:
            self._fail(s, now, exc.message)
            return
        s.process, s.started_at, s.healthy_at, s.failed_checks, s.health = process, now, None, 0, None
        s.state = S.STARTING
        log.info("%s started (pid %d)%s", s.name, process.pid, f", restart {s.restarts}" if s.restarts else "")
        if not s.has_health_check:  # nothing to ask: running is healthy
            s.state, s.healthy_at = S.RUNNING, now

    # --- health ----------------------------------------------------------------------------------

    def _probe_due(self, s: Service, now: float) -> bool:
        if s.process is None or not s.has_health_check:
            return False
        return s.state is S.STARTING or (s.state is S.RUNNING and now >= s.next_check)

    async def _check_health(self) -> None:
        now = self.clock.now()
        for s in self.services.values():
            if not self.checks.busy(s.name) and self._probe_due(s, now):
                self.checks.start(s)
        for s, process, report in await self.checks.collect():
            self.apply_health(s, process, report, self.clock.now())

    def apply_health(self, s: Service, process: RunningProcess | None, report: HealthReport, now: float) -> None:
        """Record a check of `process`; ignored if that process is no longer the service's."""
        if process is None or s.process is not process or s.state not in (S.STARTING, S.RUNNING):
            return
        s.health, s.checked_at = report, now
        s.next_check = now + self.policy.health_interval
        if report.ok:
            s.failed_checks = 0
            if s.state is S.STARTING:
                s.state, s.healthy_at, s.reason = S.RUNNING, now, ""
                started = s.started_at if s.started_at is not None else now
                log.info("%s healthy (pid %d, %.2f s after its start)", s.name, process.pid, now - started)
            return
        if s.state is S.STARTING:
            started = s.started_at if s.started_at is not None else now
            if now - started >= self.policy.start_timeout:
                self._fail(s, now, f"not healthy {self.policy.start_timeout:g} s after its start: {report.note}")
            return
        s.failed_checks += 1
        log.warning(
            "%s health check failed (%d of %d): %s", s.name, s.failed_checks, self.policy.health_retries, report.note
        )
        if s.failed_checks >= self.policy.health_retries:
            self._fail(s, now, f"unhealthy: {report.note}")

    def _blocked(self, s: Service) -> bool:
        """Waiting on a FATAL service (directly or not): it will not start by itself."""
        return any(
            self.services[d].state is S.FATAL or (self.services[d].process is None and self._blocked(self.services[d]))
            for d in s.spec.depends_on
        )

    def _announce(self) -> None:
        """Say once how long the start took: when every service is healthy, or the rest FATAL or blocked by one."""
        if self.ready_after is not None:
            return
        services = list(self.services.values())
        healthy = [s.name for s in services if s.state is S.RUNNING]
        fatal = [s.name for s in services if s.state is S.FATAL]
        blocked = [s.name for s in services if s.state is S.STOPPED and self._blocked(s)]
        if len(healthy) + len(fatal) + len(blocked) < len(services):
            return
        self.ready_after = self.clock.now() - self.began
        if not fatal:
            message = f"sogoctl: all {len(services)} services healthy in {self.ready_after:.2f} s"
            if self._say is None:
                log.info("%s", message)
            else:
                self._say(message)
            return
        waiting = f"; not started (waiting on them): {', '.join(blocked)}" if blocked else ""
        message = (
            f"sogoctl: {len(healthy)} of {len(services)} services healthy in {self.ready_after:.2f} s; "
            f"FATAL: {', '.join(fatal)}{waiting}"
        )
        log.error("%s", message)
        if self._say is not None:
            self._say(message)

    # --- stopping --------------------------------------------------------------------------------

    async def shutdown(self) -> None:
        """Stop every service, dependents first, each given its stop_timeout to drain before SIGKILL."""
        self.stopping = True
        self.checks.cancel_all()
        order = list(reversed(self.order))
        log.info("sogoctl: stopping %s", ", ".join(order))
        for name in order:
            s = self.services[name]
            self.begin_stop(s, self.clock.now(), then=S.STOPPED)
            s.restart_after_stop = False
            while s.process is not None:
                now = self.clock.now()
                self._reap_all(now)
                self._enforce_deadlines(now)
                if s.process is None:
                    break
                if s.killed and now >= s.stop_deadline + KILL_GRACE:
                    log.error("%s (pid %d) did not exit after SIGKILL; giving up on it", s.name, s.process.pid)
                    break
                await self.pause.sleep(self.step)
            s.state = S.STOPPED
        log.info("sogoctl: all services stopped")
