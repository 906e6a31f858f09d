"""Who may read the gateway's operational endpoints (/metrics, /ready): never through an app's host, and only
from the addresses of `ops_allow` (loopback by default), the caller's address found as for rate limits."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request

from application.registry import LiveRegistry
from domain.errors import DomainError

from .client_address import ClientAddress


class OpsAccess:
    def __init__(self, registry: LiveRegistry, allow: tuple[str, ...], trusted_proxies: tuple[str, ...]) -> None:
        self._registry = registry
        self._nets = [ipaddress.ip_network(a, strict=False) for a in allow]
        self._client_ip = ClientAddress(trusted_proxies)

    def allowed(self, request: Request[Any, Any, Any]) -> bool:
        try:
            self._registry.current.for_host(request.headers.get("host"))
        except DomainError:
            pass  # not an app's host: the gateway's own (127.0.0.1:8080, a monitoring name)
        else:
            return False  # what an app's users reach through the proxy is the app, not the platform's internals
        try:
            addr = ipaddress.ip_address(self._client_ip(request))
        except ValueError:
            return True  # no IP address: a Unix-socket peer, local by definition
        return any(addr in net for net in self._nets)
