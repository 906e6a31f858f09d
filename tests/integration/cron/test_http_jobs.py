"""HttpxJobClient against a real local HTTP server: internal addresses refused unless allowed, pinning, redirects."""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Iterator

import pytest

from adapters.http_jobs.client import MAX_BODY, HttpxJobClient
from adapters.http_jobs.guard import is_internal
from domain.cron import JobFailure


class Handler(http.server.BaseHTTPRequestHandler):
    seen: list[tuple[str, str, str, bytes]] = []
    port = 0

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        Handler.seen.append((self.command, self.path, self.headers.get("Host", ""), body))
        if self.path == "/slow":
            time.sleep(1.0)
        status, location, payload = {
            "/ok": (200, None, b"pong"),
            "/fail": (500, None, b"broken"),
            "/big": (200, None, b"x" * (MAX_BODY * 4)),
            "/to-ok": (302, "/ok", b""),
            "/to-internal": (302, f"http://internal.test:{Handler.port}/ok", b""),
            "/loop": (302, "/loop", b""),
        }.get(self.path, (404, None, b"no"))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # /big: the client stops reading
            self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.port = httpd.server_address[1]
    Handler.seen = []
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield Handler.port
    finally:
        httpd.shutdown()
        httpd.server_close()


async def fake_dns(host: str, port: int) -> list[str]:
    """public.test and internal.test both point at the local server; internal.test is 127.0.0.2."""
    return {"public.test": ["127.0.0.1"], "internal.test": ["127.0.0.2"], "localhost": ["127.0.0.1"]}[host]


def only_127_0_0_2_is_internal(address: str) -> bool:
    return address == "127.0.0.2"


async def call(
    client: HttpxJobClient, url: str, allow_private: bool = False, method: str = "GET", body=None, timeout: float = 5.0
):
    return await client.request(
        method, url, headers={"X-Job": "1"}, body=body, timeout=timeout, allow_private=allow_private
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/ok",
        "http://localhost:{port}/ok",
        "http://[::1]:{port}/ok",
        "http://10.1.2.3/ok",
        "http://192.168.1.1/ok",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/ok",
        "http://0.0.0.0:{port}/ok",
        "http://[::ffff:127.0.0.1]:{port}/ok",
        "http://[fd00::1]/ok",
    ],
)
async def test_internal_addresses_are_refused_by_default(server, url):
    client = HttpxJobClient()
    try:
        with pytest.raises(JobFailure, match="internal address") as err:
            await call(client, url.format(port=server))
        assert err.value.retryable is False
    finally:
        await client.close()
    assert Handler.seen == []


async def test_allow_private_reaches_a_local_service(server):
    client = HttpxJobClient()
    try:
        response = await call(client, f"http://localhost:{server}/ok", allow_private=True, method="POST", body={"a": 1})
    finally:
        await client.close()
    assert (response.status, response.body) == (200, "pong")
    assert Handler.seen == [("POST", "/ok", f"localhost:{server}", b'{"a":1}')]


async def test_the_checked_address_is_the_one_connected_to_with_the_name_as_host(server):
    client = HttpxJobClient(resolver=fake_dns, internal=only_127_0_0_2_is_internal)
    try:
        response = await call(client, f"http://public.test:{server}/to-ok")
        assert response.status == 200
        assert [(p, h) for _, p, h, _ in Handler.seen] == [
            ("/to-ok", f"public.test:{server}"),
            ("/ok", f"public.test:{server}"),
        ]
        with pytest.raises(JobFailure, match=r"'internal\.test' resolves to 127\.0\.0\.2"):
            await call(client, f"http://public.test:{server}/to-internal")  # each redirect hop is checked
        with pytest.raises(JobFailure, match="more than 5 redirects"):
            await call(client, f"http://public.test:{server}/loop")
    finally:
        await client.close()


async def test_statuses_bodies_and_timeouts(server):
    client = HttpxJobClient(resolver=fake_dns, internal=only_127_0_0_2_is_internal)
    try:
        failed = await call(client, f"http://public.test:{server}/fail")
        assert (failed.status, failed.body) == (500, "broken")
        big = await call(client, f"http://public.test:{server}/big")
        assert len(big.body) == MAX_BODY
        with pytest.raises(JobFailure, match="timed out") as err:
            await call(client, f"http://public.test:{server}/slow", timeout=0.2)
        assert err.value.retryable
        with pytest.raises(JobFailure, match="only http and https"):
            await call(client, "file:///etc/passwd")
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("address", "internal"),
    [
        ("93.184.216.34", False),
        ("2606:2800:220:1:248:1893:25c8:1946", False),
        ("127.0.0.1", True),
        ("10.0.0.1", True),
        ("172.16.5.4", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("100.64.0.1", True),
        ("0.0.0.0", True),
        ("224.0.0.1", True),
        ("255.255.255.255", True),
        ("::1", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("::ffff:10.0.0.1", True),
        ("2002:7f00:1::", True),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", True),  # NAT64 around 10.0.0.1
        ("64:ff9b::5db8:d822", False),  # NAT64 around 93.184.216.34
    ],
)
def test_which_addresses_are_internal(address, internal):
    assert is_internal(address) is internal
