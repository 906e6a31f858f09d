"""MQTT helpers for tests: a private broker the test can stop and restart, and an aiomqtt subscriber in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt

from .processes import free_port, wait_for_port

SHARED_BROKER = ("127.0.0.1", 1883)  # the machine's Mosquitto
MOSQUITTO = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if os.path.exists("/usr/sbin/mosquitto") else None)


def port_closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class PrivateBroker:
    """A broker on a port of its own that the test stops and starts: a second Mosquitto when the binary is
    there, else a TCP proxy to the shared one (whose connections are cut when stopped)."""

    def __init__(self, folder: Path, port: int | None = None, config: str = "") -> None:
        self.port = port or free_port()
        self.folder = folder
        self.config = config
        self._proc: subprocess.Popen[bytes] | None = None
        self._proxy: _Proxy | None = None

    def start(self) -> PrivateBroker:
        if MOSQUITTO is None:
            self._proxy = _Proxy(self.port)
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            conf = self.folder / f"mosquitto-{self.port}.conf"
            anonymous = "" if "allow_anonymous" in self.config else "allow_anonymous true\n"
            # as root, mosquitto switches to its own user, which cannot read the test's private tmp folder
            user = f"user {getpass.getuser()}\n"
            conf.write_text(f"listener {self.port} 127.0.0.1\n{user}{anonymous}{self.config}")
            log = open(self.folder / f"mosquitto-{self.port}.log", "ab")  # noqa: SIM115 - the process owns it
            self._proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, proc=self._proc)
        return self

    def stop(self) -> None:
        """Gone at once, connections dropped (SIGKILL: no graceful goodbye to the clients)."""
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait(5)
            self._proc = None
        if self._proxy is not None:
            self._proxy.close()
            self._proxy = None

    def pause(self) -> None:
        """Stop answering without closing anything (SIGSTOP): publishes get no acknowledgement."""
        assert self._proc is not None, "pause needs the mosquitto binary"
        self._proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGCONT)

    @property
    def can_pause(self) -> bool:
        return MOSQUITTO is not None


class _Proxy:
    """Forwards 127.0.0.1:port to the shared broker, in a thread; close() cuts every connection."""

    def __init__(self, port: int) -> None:
        self._server = socket.create_server(("127.0.0.1", port), reuse_port=False)
        self._conns: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
                upstream = socket.create_connection(SHARED_BROKER)
            except OSError:
                return
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._closed = True
        self._server.close()
        for s in self._conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


@dataclass(frozen=True)
class Received:
    topic: str
    payload: Any
    qos: int
    retain: bool


class Subscriber:
    """Subscribes to `topics` on a broker from a thread of its own; `get()` hands back what arrived, in order."""

    def __init__(self, port: int, *topics: str, host: str = "127.0.0.1") -> None:
        self._host, self._port, self._topics = host, port, topics
        self._messages: queue.Queue[Received] = queue.Queue()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Subscriber:
        self._thread.start()
        if not self._ready.wait(10) or self._error is not None:
            raise RuntimeError(f"could not subscribe on port {self._port}: {self._error}")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        try:
            async with aiomqtt.Client(self._host, self._port) as client:
                for topic in self._topics:
                    await client.subscribe(topic, qos=1)
                self._ready.set()
                async for m in client.messages:
                    raw = bytes(m.payload) if isinstance(m.payload, bytes | bytearray) else m.payload
                    payload = json.loads(raw) if isinstance(raw, bytes) else raw
                    self._messages.put(Received(str(m.topic), payload, m.qos, bool(m.retain)))
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # noqa: BLE001 - reported to the test through __enter__/get
            self._error = exc
            self._ready.set()

    def get(self, timeout: float = 5.0) -> Received:
        try:
            return self._messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no message arrived within {timeout}s (subscriber error: {self._error})") from None

    def empty_after(self, seconds: float) -> bool:
        """True when nothing more arrives within `seconds` (for 'nothing was published' checks)."""
        try:
            extra = self._messages.get(timeout=seconds)
        except queue.Empty:
            return True
        self._messages.put(extra)
        return False
