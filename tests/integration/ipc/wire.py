"""Blocking helpers that speak the IPC wire format byte by byte, and an IpcServer run in its own thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path
from typing import Any

from adapters.ipc.server import IpcServer
from domain.errors import NotFound


def compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def framed(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


class Wire:
    """One raw connection to a service's socket."""

    def __init__(self, path: Path | str, timeout: float = 5.0) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(str(path))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, message: Any) -> None:
        self.sock.sendall(framed(compact(message)))

    def _exactly(self, n: int) -> bytes | None:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                return None
            buf += chunk
        return bytes(buf)

    def recv(self) -> dict[str, Any] | None:
        """The next response, or None when the service closed the connection."""
        header = self._exactly(4)
        if header is None:
            return None
        payload = self._exactly(int.from_bytes(header, "big"))
        if payload is None:
            return None
        answer: dict[str, Any] = json.loads(payload)
        return answer

    def call(self, message: Any) -> dict[str, Any] | None:
        self.send(message)
        return self.recv()

    def closed_by_peer(self) -> bool:
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Wire:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class EchoPort:
    """A port for the generic server: echoes what it is sent, after an optional delay."""

    async def echo(self, value: Any = None, delay: float = 0.0) -> Any:
        if delay:
            await asyncio.sleep(delay)
        return value

    async def missing(self, key: str) -> None:
        raise NotFound(f"no {key!r} here")

    async def health(self) -> dict[str, Any]:
        return {"ok": True}


ECHO_ACTIONS = ("echo", "missing", "health")


class ThreadedServer:
    """A real IpcServer on a real socket, served by an event loop in a thread of the test process."""

    def __init__(self, server: IpcServer) -> None:
        self.server = server
        self.path = server.path
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ipc-server", daemon=True)

    def _run(self, coro: Any, timeout: float = 10.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> ThreadedServer:
        self._thread.start()
        self._run(self.server.start())
        return self

    def connections(self) -> int:
        async def count() -> int:
            return len(self.server.connections)

        return int(self._run(count()))

    def stop(self) -> None:
        self._run(self.server.close(1.0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()
