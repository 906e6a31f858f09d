"""The lifecycle every IPC service shares, in one place.

A service's main builds a `Service` (what it serves and how it starts, reloads and stops) from its container;
`service_main` then runs it on `{RUN_DIR}/sogoms-{name}.1.sock`: a bad configuration at start exits 2 naming the
file and key, SIGHUP reloads (a refused reload keeps the previous configuration and shows in `health`), SIGTERM or
SIGINT stops accepting, lets in-flight requests finish, stops the background work and closes what the service
opened, in the reverse order, through one AsyncExitStack.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from domain.errors import ConfigError, DomainError
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths

from .closing import aclose

log = logging.getLogger("sogoms.service")
Hook = Callable[[], Awaitable[Any]]


@dataclass
class Service:
    """One IPC service, as its composition root assembles it.

    `port` serves the `actions`; `start` runs before the socket opens; `reload` applies a SIGHUP (it raises a
    ConfigError to refuse); `background` jobs run while serving; `stop` hooks run after the server has drained,
    then `closing` is closed (each one's `close()`, sync or async), last first.
    """

    name: str
    port: object
    actions: tuple[str, ...]
    start: Hook | None = None
    reload: Hook | None = None
    background: Sequence[Hook] = ()
    stop: Sequence[Hook] = ()
    closing: Sequence[object] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return f"sogoms-{self.name}"


def service_args(name: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"sogoms-{name}", description=description)
    parser.add_argument("--config", "-config", default=None, help="config folder (default ./config)")
    parser.add_argument("--socket", "-socket", default=None, help="socket path (default {RUN_DIR}/sogoms-NAME.1.sock)")
    parser.add_argument("--log-level", default=os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    return parser


class Reloader:
    """Runs the service's reload on SIGHUP, one at a time, and records the outcome for `health`.

    `on_reload` raises (a ConfigError naming the file and key) to refuse: the service keeps its previous settings
    and its `health` says `reload_error` until a later reload succeeds, so `sogoctl reload` can report it."""

    def __init__(self, server: IpcServer, on_reload: Hook) -> None:
        self._server, self._on_reload = server, on_reload
        self._lock = asyncio.Lock()
        self._count = 0
        server.reload_state = {"count": 0, "in_progress": False, "error": ""}

    async def __call__(self) -> None:
        async with self._lock:
            self._count += 1
            state: dict[str, Any] = {"count": self._count, "in_progress": True, "error": ""}
            previous = self._server.reload_state or {}
            self._server.reload_state = {**state, "error": previous.get("error", "")}
            error = ""
            try:
                await self._on_reload()
            except DomainError as exc:
                log.error("%s: reload refused, keeping the previous configuration: %s", self._server.name, exc.message)
                error = exc.message
            except Exception as exc:  # a reload must never take the service down
                log.exception("%s: reload failed, keeping the previous configuration", self._server.name)
                error = f"{type(exc).__name__}: {exc}"
            self._server.reload_state = {**state, "in_progress": False, "error": error}


async def _cancel(tasks: Sequence[asyncio.Future[Any]]) -> None:
    for t in tasks:
        t.cancel()
    for t in tasks:
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await t


async def run_service(service: Service, socket: Path, drain: float = 10.0) -> None:
    """Serve until SIGTERM/SIGINT, then stop accepting, let in-flight requests finish, and close everything."""
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    server = IpcServer(socket, actions_of(service.port, service.actions), name=service.title)
    async with AsyncExitStack() as stack:
        for thing in service.closing:
            stack.push_async_callback(aclose, thing)
        for hook in reversed(service.stop):
            stack.push_async_callback(hook)
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        if service.reload is not None:
            reload = Reloader(server, service.reload)
            loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
        else:
            loop.add_signal_handler(signal.SIGHUP, lambda: log.info("%s: SIGHUP (nothing to reload)", server.name))
        if service.start is not None:
            await service.start()
        await server.start()
        stack.push_async_callback(server.close, drain)
        tasks = [asyncio.ensure_future(job()) for job in service.background]
        stack.push_async_callback(_cancel, tasks)
        await stopping.wait()
        log.info("%s: stopping (draining in-flight requests)", server.name)


def prepare(args: argparse.Namespace, name: str) -> tuple[Paths, Path]:
    setup_logging(args.log_level)
    paths = Paths.from_env(args.config)
    paths.ensure()
    return paths, Path(args.socket) if args.socket else paths.socket(name)


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> int:
    try:
        import uvloop

        uvloop.run(main())
    except KeyboardInterrupt:
        return 130
    return 0


def service_main(
    parser: argparse.ArgumentParser,
    name: str,
    build: Callable[[argparse.Namespace, Paths], Service],
    argv: list[str] | None = None,
) -> int:
    """Parse the options, build the service from its container, serve it; a bad configuration exits 2."""
    args = parser.parse_args(argv)
    paths, socket = prepare(args, name)
    try:
        service = build(args, paths)
    except (ConfigError, ValueError) as exc:  # a bad file, key or option (a duration that does not parse...)
        print(f"sogoms-{name}: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    try:
        return run(lambda: run_service(service, socket))
    except ConfigError as exc:  # refused by the service's start (a broker setting checked when it connects)
        print(f"sogoms-{name}: {exc.message}", file=sys.stderr)
        return 2
