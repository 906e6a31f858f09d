"""Run one IPC service: its server on `{RUN_DIR}/sogoms-{name}.1.sock`, SIGTERM drains, SIGHUP reloads."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from adapters.ipc.server import IpcServer
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths

log = logging.getLogger("sogoms.service")


def service_args(name: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"sogoms-{name}", description=description)
    parser.add_argument("--config", "-config", default=None, help="config folder (default ./config)")
    parser.add_argument("--socket", "-socket", default=None, help="socket path (default {RUN_DIR}/sogoms-NAME.1.sock)")
    parser.add_argument("--log-level", default=os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    return parser


async def run_service(
    server: IpcServer,
    *,
    on_reload: Callable[[], Awaitable[None]] | None = None,
    background: list[Callable[[], Awaitable[Any]]] | None = None,
    on_stop: Callable[[], Awaitable[None]] | None = None,
    drain: float = 10.0,
) -> None:
    """Serve until SIGTERM/SIGINT, then stop accepting, let in-flight requests finish, and exit."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if on_reload is not None:
        reload = on_reload
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
    else:
        loop.add_signal_handler(signal.SIGHUP, lambda: log.info("%s: SIGHUP (nothing to reload)", server.name))
    await server.start()
    tasks = [asyncio.ensure_future(job()) for job in background or []]
    try:
        await stop.wait()
        log.info("%s: stopping (draining in-flight requests)", server.name)
    finally:
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await server.close(drain)
        if on_stop is not None:
            await on_stop()


def prepare(args: argparse.Namespace, name: str) -> tuple[Paths, Path]:
    setup_logging(args.log_level)
    paths = Paths.from_env(args.config)
    paths.ensure()
    return paths, Path(args.socket) if args.socket else paths.socket(name)


def run(main: Callable[[], Awaitable[None]]) -> int:
    try:
        import uvloop

        uvloop.run(main())
    except KeyboardInterrupt:
        return 130
    return 0
