"""One generic IPC server: a Unix socket, many requests in flight per connection, answered by id.

A bad frame, bad JSON, a missing field or an unknown action gets an error response; an
unreadable frame (length over the limit) closes only that connection. Nothing a client
sends can stop the service, nor grow its memory without bound: a connection with too many
requests in flight, or that does not read its answers, is not read from until it catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

from adapters.context import request_id
from adapters.input_limits import IPC_MAX_DEPTH, decode_json
from domain.errors import BadRequest, DomainError, InvalidInput

from . import protocol as p
from .dispatch import Action, invoke

log = logging.getLogger("sogoms.ipc")
BACKLOG = 4096  # a burst of clients connecting at once is queued, not refused (the kernel caps it at somaxconn)
MAX_INFLIGHT = 1024  # per connection; past this the connection is not read until half have been answered
HEALTH_BUDGET = 1.5  # a `health` answer never takes longer (sogoctl's health_timeout is 2 s): past it, "degraded"


class _Connection(asyncio.Protocol):
    def __init__(self, server: IpcServer) -> None:
        self._server = server
        self._buffer = p.FrameBuffer(server.max_frame)
        self._transport: asyncio.Transport | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._paused = False  # reading paused: too many in flight
        self._blocked = False  # reading paused: the peer does not read its answers

    def _update_reading(self) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        paused = self._blocked or len(self._tasks) >= MAX_INFLIGHT
        if paused and not self._paused:
            self._transport.pause_reading()
        elif self._paused and not self._blocked and len(self._tasks) <= MAX_INFLIGHT // 2:
            self._transport.resume_reading()
        else:
            return
        self._paused = not self._paused

    def pause_writing(self) -> None:
        self._blocked = True
        self._update_reading()

    def resume_writing(self) -> None:
        self._blocked = False
        self._update_reading()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]
        self._server.connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._server.connections.discard(self)
        self._transport = None

    def data_received(self, data: bytes) -> None:
        try:
            frames = self._buffer.feed(data)
        except p.FrameTooLarge as exc:
            self._send(p.failure("", "FRAME_TOO_LARGE", str(exc)))
            log.warning("closing a connection that sent an oversized frame (%d bytes)", exc.size)
            if self._transport is not None:
                self._transport.close()
            return
        for payload in frames:
            task = asyncio.ensure_future(self._handle(payload))
            self._tasks.add(task)
            self._server.inflight.add(task)
            task.add_done_callback(self._done)
        if len(self._tasks) >= MAX_INFLIGHT:
            self._update_reading()

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._server.inflight.discard(task)
        if self._paused:
            self._update_reading()

    def _send(self, response: p.Response) -> None:
        if self._transport is None or self._transport.is_closing():
            return
        try:
            data = p.encode_frame(response)
        except (TypeError, msgspec.EncodeError) as exc:
            log.error("action result could not be encoded: %s", exc)
            data = p.encode_frame(p.failure(response.id, "INTERNAL_ERROR", "result could not be encoded"))
        self._transport.write(data)

    async def _handle(self, payload: bytes) -> None:
        try:
            req = decode_json(payload, IPC_MAX_DEPTH, p.request_decoder)
        except BadRequest as exc:  # nested too deeply: answered like any bad request, the connection kept
            self._send(p.failure(p.best_effort_id(payload), "BAD_REQUEST", exc.message))
            return
        except msgspec.ValidationError as exc:
            self._send(p.failure(p.best_effort_id(payload), "BAD_REQUEST", f"invalid request: {exc}"))
            return
        except msgspec.DecodeError as exc:
            self._send(p.failure(p.best_effort_id(payload), "BAD_REQUEST", f"invalid JSON: {exc}"))
            return
        self._send(await self._server.answer(req))


class IpcServer:
    """Serves `actions` on a Unix socket at `path`."""

    def __init__(
        self,
        path: Path | str,
        actions: dict[str, Action],
        *,
        max_frame: int = p.DEFAULT_MAX_FRAME,
        name: str = "service",
        extra: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] | None = None,
    ) -> None:
        self.path = Path(path)
        self.actions = actions
        self.extra = extra or {}
        self.max_frame = max_frame
        self.name = name
        self.connections: set[_Connection] = set()
        self.inflight: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None
        # how the last SIGHUP reload went (set by run_service), added to every `health` answer
        self.reload_state: dict[str, Any] | None = None

    async def _bounded_health(self, action: Action, params: dict[str, Any]) -> Any:
        """The service's health, or "degraded" once HEALTH_BUDGET has passed: the service itself answers (so it is
        not restarted for something behind it, such as a silent database) and says what did not."""
        try:
            async with asyncio.timeout(HEALTH_BUDGET):
                return await invoke(action, params)
        except TimeoutError:
            log.warning("%s: health check took longer than %g s", self.name, HEALTH_BUDGET)
            return {"ok": False, "error": f"health checks did not finish within {HEALTH_BUDGET:g} s"}

    def _health(self, result: Any) -> Any:
        """A `health` result with the reload outcome: `reload`, and `reload_error` while the last one was refused."""
        state = self.reload_state
        if state is None or not isinstance(result, dict):
            return result
        result = {**result, "reload": dict(state)}
        if state.get("error"):
            result["reload_error"] = state["error"]
        return result

    async def answer(self, req: p.Request) -> p.Response:
        token = request_id.set(req.request_id)
        try:
            action = self.actions.get(req.action)
            if action is not None and req.action == "health":
                return p.success(req.id, self._health(await self._bounded_health(action, req.params)))
            if action is not None:
                return p.success(req.id, await invoke(action, req.params))
            handler = self.extra.get(req.action)
            if handler is not None:
                return p.success(req.id, await handler(req.params))
            known = ", ".join(sorted([*self.actions, *self.extra]))
            return p.failure(req.id, "UNKNOWN_ACTION", f"unknown action {req.action!r} (known: {known})")
        except DomainError as exc:
            fields = [e.as_dict() for e in exc.field_errors] if isinstance(exc, InvalidInput) else None
            return p.failure(req.id, exc.code, exc.message, fields)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: action %s failed", self.name, req.action)
            return p.failure(req.id, "INTERNAL_ERROR", "internal error")
        finally:
            request_id.reset(token)

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket from a crashed run
        loop = asyncio.get_running_loop()
        self._server = await loop.create_unix_server(lambda: _Connection(self), str(self.path), backlog=BACKLOG)
        os.chmod(self.path, 0o660)
        log.info("%s listening on %s", self.name, self.path)

    async def close(self, drain: float = 10.0) -> None:
        """Stop accepting, let in-flight requests finish (up to `drain` seconds), close connections."""
        if self._server is not None:
            self._server.close()
        if self.inflight:
            await asyncio.wait(set(self.inflight), timeout=drain)
        for conn in list(self.connections):
            if conn._transport is not None:
                conn._transport.close()
        if self._server is not None:
            await self._server.wait_closed()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
