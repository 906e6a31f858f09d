"""sogoctl's composition root: the subprocess runner, the health probe and the clock behind the supervisor."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dependency_injector import containers, providers

from adapters.clock import AsyncioPause, MonotonicClock
from adapters.process.health import ServiceHealthProbe
from adapters.process.runner import SubprocessRunner
from application.supervision.control import SupervisorControl
from application.supervision.supervisor import Supervisor
from domain.supervision import SupervisorConfig


class Supervision(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=SupervisorConfig)
    log_dir: providers.Dependency[Path] = providers.Dependency()
    say: providers.Dependency[Callable[[str], None]] = providers.Dependency()

    clock = providers.Singleton(MonotonicClock)
    pause = providers.Singleton(AsyncioPause)
    runner = providers.Singleton(SubprocessRunner, log_dir=log_dir)
    probe = providers.Singleton(ServiceHealthProbe)
    supervisor = providers.Singleton(
        Supervisor, config=settings, runner=runner, probe=probe, clock=clock, pause=pause, say=say
    )
    control = providers.Singleton(SupervisorControl, supervisor=supervisor, clock=clock, pause=pause)
