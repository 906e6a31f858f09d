"""`sogoctl` (or `sogoctl run`): start every service, keep them alive, serve the control socket, stop on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
from pathlib import Path

from dependency_injector import providers

from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from adapters.process.config_file import MAX_SOCKET_PATH, load_supervisor_config
from adapters.process.runner import become_subreaper
from application.supervision.control import CONTROL_ACTIONS
from domain.errors import ConfigError
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths
from entrypoints.wiring.service import run

from .container import Supervision

log = logging.getLogger("sogoms.sogoctl")


def export_paths(paths: Paths) -> Paths:
    """Absolute SOGOMS_* in our environment: `${SOGOMS_RUN_DIR}` in sogoctl.yaml and every child agree with us."""
    absolute = Paths(*(p.absolute() for p in (paths.config, paths.run, paths.logs, paths.secrets, paths.data)))
    for key, value in (
        ("SOGOMS_CONFIG_DIR", absolute.config),
        ("SOGOMS_RUN_DIR", absolute.run),
        ("SOGOMS_LOG_DIR", absolute.logs),
        ("SOGOMS_SECRETS_DIR", absolute.secrets),
        ("SOGOMS_DATA_DIR", absolute.data),
    ):
        os.environ[key] = str(value)
    return absolute


def _answers(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(1)
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


def _say(line: str) -> None:
    print(line, flush=True)


def run_supervisor(paths: Paths, file: str | None, log_level: str) -> int:
    setup_logging(log_level)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per health check is noise
    paths = export_paths(paths)
    path = Path(file).absolute() if file else paths.config / "sogoctl.yaml"
    try:
        config = load_supervisor_config(path)
    except ConfigError as exc:
        print(f"sogoctl: {exc.message}", file=sys.stderr)
        return 2
    paths.ensure()
    control_socket = paths.socket("sogoctl")
    if len(os.fsencode(control_socket)) > MAX_SOCKET_PATH:
        print(
            f"sogoctl: {control_socket} is too long for a Unix socket (use a shorter SOGOMS_RUN_DIR)", file=sys.stderr
        )
        return 2
    if _answers(control_socket):
        print(f"sogoctl: another sogoctl is already running on {control_socket}", file=sys.stderr)
        return 1
    become_subreaper()
    log.info("sogoctl: each service's output goes to %s/{name}.log", paths.logs)
    container = Supervision(
        settings=providers.Object(config), log_dir=providers.Object(paths.logs), say=providers.Object(_say)
    )
    return run(lambda: _serve(container, control_socket))


async def _serve(container: Supervision, control_socket: Path) -> None:
    supervisor, control, runner = container.supervisor(), container.control(), container.runner()
    server = IpcServer(control_socket, actions_of(control, CONTROL_ACTIONS), name="sogoctl")
    loop = asyncio.get_running_loop()

    def on_stop(sig: signal.Signals) -> None:
        if supervisor.stop_requested:  # asked twice: no more draining
            log.warning("sogoctl: %s again: SIGKILL to every service", sig.name)
            runner.stop_all_now()
            return
        log.info("sogoctl: %s: stopping every service", sig.name)
        supervisor.request_stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_stop, sig)
    loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(control.reload()))
    await server.start()
    try:
        await supervisor.run()
    finally:
        runner.stop_all_now()  # nothing is left after a clean shutdown; after a crash, nothing may be
        with contextlib.suppress(Exception):
            await server.close(1.0)
        await container.probe().close()
