"""A loopback TCP proxy a test can break: pass traffic, hang (accept, hold, forward nothing) or refuse (reset).

Put between a service and MariaDB, it makes the two database outages a network can cause: a server that refuses
(connections reset at once) and one that is silent (connections open, no byte ever answered).
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import threading

MODES = ("pass", "hang", "refuse")


def _reset(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class TcpProxy:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.mode = "pass"
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(256)
        self.port = int(self._listener.getsockname()[1])
        self._running = True
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._threads = [threading.Thread(target=self._accept, daemon=True, name="tcpproxy-accept")]
        self._threads[0].start()

    def set(self, mode: str) -> None:
        """pass | hang | refuse; refuse also resets every open connection."""
        assert mode in MODES, mode
        self.mode = mode
        if mode == "refuse":
            with self._lock:
                pairs, self._pairs = self._pairs, []
            for a, b in pairs:
                _reset(a)
                _reset(b)

    def _accept(self) -> None:
        while self._running:
            ready, _, _ = select.select([self._listener], [], [], 0.1)
            if not ready:
                continue
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                _reset(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            t = threading.Thread(target=self._pump, args=(client, upstream), daemon=True, name="tcpproxy-pump")
            t.start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peer = {a: b, b: a}
        try:
            while self._running:
                if self.mode == "hang":  # hold both ends open, read nothing, forward nothing
                    select.select([], [], [], 0.05)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for src in ready:
                    data = src.recv(65536)
                    if not data:
                        return
                    peer[src].sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                if (a, b) in self._pairs:
                    self._pairs.remove((a, b))
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def close(self) -> None:
        self._running = False
        with contextlib.suppress(OSError):
            self._listener.close()
        self.set("refuse")
        self.mode = "pass"
