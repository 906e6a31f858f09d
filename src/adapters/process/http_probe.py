"""A minimal HTTP/1.1 GET for health URLs (asyncio streams): sogoctl stays small without an HTTP client library."""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

MAX_BODY = 64 * 1024


@dataclass(frozen=True, slots=True)
class ProbeAnswer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class ProbeError(Exception):
    pass


async def http_get(url: str, timeout: float) -> ProbeAnswer:
    """GET `url` with `Connection: close`; ProbeError on a bad URL, refused connection or unreadable answer."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProbeError(f"{url}: not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    context = ssl.create_default_context() if parts.scheme == "https" else None
    async with asyncio.timeout(timeout):
        try:
            reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
        except OSError as exc:
            raise ProbeError(f"{url}: {exc.strerror or exc}") from None
        try:
            host = parts.netloc.rsplit("@", 1)[-1]
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nAccept: */*\r\n\r\n".encode())
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            try:
                status = int(status_line.split(" ", 2)[1])
            except (IndexError, ValueError):
                raise ProbeError(f"{url}: not an HTTP answer") from None
            headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
            if "content-length" in headers:
                body = await reader.readexactly(min(int(headers["content-length"]), MAX_BODY))
            else:
                body = await reader.read(MAX_BODY)
            return ProbeAnswer(status, body)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, OSError) as exc:
            raise ProbeError(f"{url}: {type(exc).__name__}") from None
        finally:
            writer.close()
