"""Run an ASGI app under uvicorn with N worker processes sharing one listening socket.

The parent binds, forks the workers (after imports, so they share memory pages), restarts a
worker that dies, forwards SIGHUP (reload) and SIGTERM/SIGINT (drain in-flight requests, refuse
new ones, exit). Slow clients are cut off: headers must arrive within `header_timeout`, and the whole request,
body included, within `header_timeout + body_timeout`, whether the app reads the body or not (a 401, an unknown
host, a GET with a body): a body left unread after the answer is drained up to DRAIN_LIMIT bytes, past that the
connection is closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from adapters.process.lifecycle import die_with_parent

log = logging.getLogger("sogoms.server")
DRAIN_LIMIT = 64 * 1024  # bytes of an unread body read (and dropped) after the answer before the connection closes


def guarded_protocol(header_timeout: float, body_timeout: float = 10.0) -> type[HttpToolsProtocol]:
    """HttpToolsProtocol that closes a connection whose headers, or whole request, take too long to arrive."""
    request_timeout = header_timeout + body_timeout

    class SlowClientGuard(HttpToolsProtocol):
        _guard: asyncio.TimerHandle | None = None
        _deadline: asyncio.TimerHandle | None = None  # the whole request, read by the app or not
        _drained = 0

        def _arm(self) -> None:
            self._disarm()
            self._guard = self.loop.call_later(header_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._guard is not None:
                self._guard.cancel()
                self._guard = None

        def _too_slow(self) -> None:
            self._guard = None
            if self.transport is not None and not self.transport.is_closing():
                self.transport.close()

        def _end_deadline(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()
            self._end_deadline()
            self._drained = 0
            self._deadline = self.loop.call_later(request_timeout, self._too_slow)

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_body(self, body: bytes) -> None:
            if self.cycle is not None and self.cycle.response_complete:  # answered without reading it: drop it
                self._drained += len(body)
                if self._drained > DRAIN_LIMIT:
                    self._too_slow()
                    return
            super().on_body(body)

        def on_message_complete(self) -> None:
            self._end_deadline()  # the whole request has arrived
            super().on_message_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            self._end_deadline()
            super().connection_lost(exc)

    return SlowClientGuard


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _run_worker(
    app_factory: Callable[[], Any],
    sock: socket.socket,
    header_timeout: float,
    keepalive: float,
    graceful: float,
    body_timeout: float,
) -> None:
    config = uvicorn.Config(
        app_factory,
        factory=True,
        http=guarded_protocol(header_timeout, body_timeout),
        loop="uvloop",
        lifespan="on",
        timeout_keep_alive=int(max(1, keepalive)),
        timeout_graceful_shutdown=int(max(1, graceful)),
        access_log=False,
        log_level="warning",
        server_header=False,
        date_header=False,
    )
    server = uvicorn.Server(config)
    server.run(sockets=[sock])


def serve(
    app_factory: Callable[[], Any],
    *,
    host: str,
    port: int,
    workers: int,
    header_timeout: float = 10.0,
    body_timeout: float = 10.0,
    keepalive: float = 5.0,
    graceful: float = 20.0,
    name: str = "server",
    on_worker_exit: Callable[[int], None] | None = None,
) -> int:
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # until a loop handler (reload) or `forward` takes it
    try:
        sock = bind(host, port)
    except OSError as exc:
        log.error("%s cannot listen on %s:%d: %s", name, host, port, exc.strerror or exc)
        return 2
    log.info("%s listening on http://%s:%d with %d worker(s)", name, host, port, workers)
    if workers <= 1:
        _run_worker(app_factory, sock, header_timeout, keepalive, graceful, body_timeout)
        return 0
    children: dict[int, float] = {}
    stopping = False
    master = os.getpid()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                signal.signal(sig, signal.SIG_DFL)
            die_with_parent(master)  # a worker whose master is killed (even -9) drains and exits, never orphaned
            signal.signal(signal.SIGHUP, signal.SIG_IGN)  # until the worker's loop takes it (reload)
            try:
                _run_worker(app_factory, sock, header_timeout, keepalive, graceful, body_timeout)
            finally:
                os._exit(0)
        children[pid] = time.monotonic()

    def forward(sig: int, _frame: Any) -> None:
        nonlocal stopping
        if sig in (signal.SIGTERM, signal.SIGINT):
            stopping = True
            # the workers close their copies as they start draining; once ours is closed too, new
            # connections are refused at once instead of waiting unanswered in the listen backlog
            sock.close()
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    for _ in range(workers):
        spawn()
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = children.pop(pid, None)
        if on_worker_exit is not None and started is not None:
            on_worker_exit(pid)
        if stopping or started is None:
            continue
        code = os.waitstatus_to_exitcode(status)
        log.error("%s worker %d exited (%d); starting another", name, pid, code)
        if time.monotonic() - started < 1:
            time.sleep(1)  # a worker that dies at once (bad config) must not spin the CPU
        spawn()
    sock.close()
    return 0
