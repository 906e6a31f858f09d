"""One generic IPC client: a small pool of connections, many calls in flight on each, matched by id.

A connection that drops fails its pending calls with Unavailable and is reopened on the next call,
so a restarted service is picked up again without restarting the caller. Every call times out, and
while the service is down callers fail fast: one connect attempt runs at a time, the calls that waited
on a failed attempt fail with it, and once the service is known to be down a call tries to connect
once (an instant refusal) instead of waiting `connect_wait` for it to come back.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from adapters.context import request_id
from domain.errors import DomainError, PayloadTooLarge, Timeout, Unavailable, error_from_code

from . import protocol as p

log = logging.getLogger("sogoms.ipc")

# (service, action, seconds, outcome): outcome is "" on success, else the error code (SERVICE_UNAVAILABLE...)
CallObserver = Callable[[str, str, float, str], None]


class _ClientConnection(asyncio.Protocol):
    def __init__(self, client: IpcClient) -> None:
        self._client = client
        self._buffer = p.FrameBuffer(client.max_frame)
        self.transport: asyncio.Transport | None = None
        self.pending: dict[str, asyncio.Future[p.Response]] = {}
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.transport = None
        err = Unavailable(f"{self._client.service} closed the connection")
        for fut in self.pending.values():
            if not fut.done():
                fut.set_exception(err)
        self.pending.clear()

    def data_received(self, data: bytes) -> None:
        try:
            frames = self._buffer.feed(data)
        except p.FrameTooLarge:
            log.error("%s sent an oversized frame; dropping the connection", self._client.service)
            if self.transport is not None:
                self.transport.close()
            return
        for payload in frames:
            try:
                resp = p.response_decoder.decode(payload)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.error("%s sent an unreadable response: %s", self._client.service, exc)
                continue
            except RecursionError:
                # nested past what can be decoded: that call fails with a clear error, the connection and the
                # other calls on it go on
                rid = p.best_effort_id(payload)
                log.error("%s sent a response nested too deeply (request %s)", self._client.service, rid or "?")
                resp = p.failure(rid, "INTERNAL_ERROR", f"{self._client.service} sent a response nested too deeply")
            fut = self.pending.pop(resp.id, None)
            if fut is not None and not fut.done():
                fut.set_result(resp)

    def send(self, data: bytes, rid: str) -> asyncio.Future[p.Response]:
        if self.transport is None or self.transport.is_closing():
            raise Unavailable(f"{self._client.service} closed the connection")
        fut: asyncio.Future[p.Response] = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        self.transport.write(data)
        return fut


class IpcClient:
    """Calls a service's actions over its Unix socket."""

    def __init__(
        self,
        path: Path | str,
        *,
        service: str = "service",
        pool_size: int = 2,
        timeout: float = 5.0,
        connect_wait: float = 0.5,
        max_frame: int = p.DEFAULT_MAX_FRAME,
        observer: CallObserver | None = None,
    ) -> None:
        self.path = str(path)
        self.service = service
        self.timeout = timeout
        self.connect_wait = connect_wait
        self.max_frame = max_frame
        self.observer = observer
        self._slots: list[_ClientConnection | None] = [None] * max(1, pool_size)
        self._connect_lock = asyncio.Lock()
        self._failed_at = -1.0
        self._next = itertools.cycle(range(len(self._slots)))
        self._ids = itertools.count(1)
        self._prefix = f"req_{id(self):x}_"

    async def _connection(self) -> _ClientConnection:
        slot = next(self._next)
        conn = self._slots[slot]
        if conn is not None and not conn.closed:
            return conn
        asked = time.monotonic()
        async with self._connect_lock:
            conn = self._slots[slot]
            if conn is not None and not conn.closed:
                return conn
            if self._failed_at >= asked:  # an attempt made while this call waited has just failed
                raise Unavailable(f"{self.service} is unavailable")
            try:
                conn = await self._connect(patient=self._failed_at < 0)
            except Unavailable:
                self._failed_at = time.monotonic()
                raise
            self._failed_at = -1.0
            self._slots[slot] = conn
            return conn

    async def _connect(self, patient: bool = True) -> _ClientConnection:
        """A new connection; `patient`: keep trying for `connect_wait` (a restart in progress)."""
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + (self.connect_wait if patient else 0.0)
        delay = 0.02
        while True:
            try:
                _, proto = await asyncio.wait_for(
                    loop.create_unix_connection(lambda: _ClientConnection(self), self.path),
                    timeout=self.timeout,  # a refusal is instant; a busy host may take longer to complete one
                )
                return proto
            except (OSError, TimeoutError) as exc:
                if time.monotonic() + delay > deadline:
                    raise Unavailable(f"{self.service} is unavailable") from exc
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.2)

    async def call(self, action: str, params: dict[str, Any] | None = None, *, timeout: float | None = None) -> Any:
        """The action's result; the service's error as a domain error; Unavailable/Timeout when it cannot answer."""
        if self.observer is None:
            return await self._call(action, params, timeout)
        started = time.perf_counter()
        outcome = ""
        try:
            return await self._call(action, params, timeout)
        except DomainError as exc:
            outcome = exc.code
            raise
        except BaseException:
            outcome = "CANCELLED"
            raise
        finally:
            self.observer(self.service, action, time.perf_counter() - started, outcome)

    async def _call(self, action: str, params: dict[str, Any] | None, timeout: float | None) -> Any:
        rid = self._prefix + str(next(self._ids))
        data = p.encode_frame(p.Request(id=rid, action=action, params=params or {}, request_id=request_id.get()))
        if len(data) - p.HEADER > self.max_frame:
            # the service would close the connection, failing every other call on it: refused here instead
            raise PayloadTooLarge(f"'{action}' request of {len(data) - p.HEADER} bytes is over the IPC frame limit")
        try:
            async with asyncio.timeout(timeout or self.timeout):
                conn = await self._connection()
                fut = conn.send(data, rid)
                try:
                    resp = await fut
                finally:
                    conn.pending.pop(rid, None)
        except TimeoutError:
            raise Timeout(f"{self.service} did not answer '{action}' in time") from None
        if resp.status == "success":
            return resp.result
        err = resp.error or p.ErrorBody(code="INTERNAL_ERROR", message="malformed error response")
        raise error_from_code(err.code, err.message, err.fields)

    async def close(self) -> None:
        for conn in self._slots:
            if conn is not None and conn.transport is not None:
                conn.transport.close()
        self._slots = [None] * len(self._slots)
