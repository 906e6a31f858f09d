"""Slow clients whose bodies are never read (issue 11 item 3).

The header cut-off held, but a POST answered without reading its body (401 without a token, an unknown host, a
GET with a body) let a client trickle body bytes forever: 500 such connections stayed open past 60 s. Now every
connection has a deadline for its whole request (header_timeout + body_timeout), read or not, and a body left
unread after the answer is drained up to 64 KiB, past which the connection is closed.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.support.platform import build_platform
from tests.support.processes import free_port, start, stop, wait_for_port

HEADER, BODY = 1.0, 2.0  # seconds: the gateway.yaml of this test
CONNECTIONS = 200


@pytest.fixture
def gateway(tmp_path) -> Iterator[int]:
    platform = build_platform(tmp_path, "sqlite")
    config = platform.paths.config / "gateway.yaml"
    text = config.read_text().replace("body_timeout: 10s", f"body_timeout: {BODY:g}s")
    config.write_text(text.replace("header_timeout: 10s", f"header_timeout: {HEADER:g}s"))
    port = free_port()
    env = {**platform.env, "SOGOWAY_SMTP_TRANSPORT": "off"}
    proc = start("sogoway", "--port", str(port), "--workers", "1", env=env, log=platform.root / "sogoway.out")
    try:
        wait_for_port(port, proc=proc, timeout=30)
        yield port
        assert proc.poll() is None
    finally:
        stop(proc)
        platform.cleanup()


REQUESTS = {
    "401 without a token": b"POST /api/projects HTTP/1.1\r\nHost: prokov.localhost\r\nContent-Type: application/json\r\n",
    "unknown host": b"POST /api/projects HTTP/1.1\r\nHost: nowhere.localhost\r\nContent-Type: application/json\r\n",
    "GET with a body": b"GET /api/_schema HTTP/1.1\r\nHost: prokov.localhost\r\n",
}


def open_trickling(port: int, head: bytes, n: int) -> list[socket.socket]:
    conns = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(head + b"Content-Length: 1000000\r\n\r\n{")
        s.setblocking(False)
        conns.append(s)
    return conns


def closed_by_server(s: socket.socket) -> bool:
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True


@pytest.mark.experiment("slowloris, bodies never read")
def test_connections_trickling_unread_bodies_are_closed_at_the_request_deadline(gateway, experiment):
    conns = {what: open_trickling(gateway, head, CONNECTIONS // len(REQUESTS)) for what, head in REQUESTS.items()}
    everyone = [s for group in conns.values() for s in group]
    started = time.monotonic()
    closed_at: dict[int, float] = {}
    try:
        while time.monotonic() - started < HEADER + BODY + 10 and len(closed_at) < len(everyone):
            for i, s in enumerate(everyone):
                if i in closed_at:
                    continue
                if closed_by_server(s):
                    closed_at[i] = time.monotonic() - started
                    continue
                try:
                    s.send(b" ")  # one byte a tick: never idle, never done
                except OSError:
                    closed_at[i] = time.monotonic() - started
            time.sleep(0.25)
    finally:
        for s in everyone:
            s.close()
    experiment.requests = len(everyone)
    experiment.note = (
        f"{len(closed_at)}/{len(everyone)} closed, the last after {max(closed_at.values(), default=0):.1f} s "
        f"(deadline {HEADER + BODY:g} s)"
    )
    assert len(closed_at) == len(everyone), f"{len(everyone) - len(closed_at)} connections still open"
    assert max(closed_at.values()) < HEADER + BODY + 3


def read_response(s: socket.socket) -> bytes:
    """One whole HTTP response (its head, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        chunk = s.recv(65536)
        assert chunk
        body += chunk
    return head + b"\r\n\r\n" + body


def test_an_unread_body_is_drained_within_the_limit_and_the_connection_kept(gateway):
    body = b'{"name": "x"}' + b" " * 1000
    with socket.create_connection(("127.0.0.1", gateway), timeout=5) as s:
        for _ in range(2):  # the unread body drained: the next request on the same connection is answered
            s.sendall(
                b"POST /api/projects HTTP/1.1\r\nHost: prokov.localhost\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            answer = read_response(s)
            assert answer.startswith(b"HTTP/1.1 401"), answer[:100]


def test_an_unread_body_past_the_drain_limit_closes_the_connection(gateway):
    with socket.create_connection(("127.0.0.1", gateway), timeout=5) as s:
        s.sendall(b"POST /api/projects HTTP/1.1\r\nHost: prokov.localhost\r\nContent-Length: 100000000\r\n\r\n{")
        assert s.recv(65536).startswith(b"HTTP/1.1 401")
        sent = 0
        with pytest.raises(OSError):
            while sent < 10_000_000:  # the server stops reading and closes long before
                s.sendall(b" " * 65536)
                sent += 65536
        # (what the kernel's socket buffers take on loopback is sent before the reset shows)
