"""The caller's IP address, as the rate limits and the audit see it."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request


class ClientAddress:
    """The caller's IP: the socket peer, or X-Forwarded-For when the peer is a trusted proxy."""

    def __init__(self, trusted: tuple[str, ...]) -> None:
        self._nets = [ipaddress.ip_network(t, strict=False) for t in trusted]

    def _trusted(self, ip: str) -> bool:
        if not self._nets:
            return False
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(addr in n for n in self._nets)

    def __call__(self, request: Request[Any, Any, Any]) -> str:
        peer = request.client.host if request.client else ""
        if not self._trusted(peer):
            return peer
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else peer
