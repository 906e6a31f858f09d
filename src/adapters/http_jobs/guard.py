"""Which addresses an `http` job may reach: only global unicast ones, unless it sets `allow_private: true`."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable

from domain.cron import JobFailure

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]


def is_internal(address: str) -> bool:
    """True for loopback, private, link-local, shared (CGNAT), multicast, reserved, unspecified... addresses."""
    ip: Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            return is_internal(str(embedded)) or not ip.is_global
        if ip in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: judge the IPv4 address inside
            return is_internal(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def literal(host: str) -> str | None:
    """`host` if it is an IP address literal, else None."""
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        return None


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for *_, sockaddr in infos:
        addr = str(sockaddr[0])
        if addr not in seen:
            seen.append(addr)
    return seen


async def vet(
    host: str,
    port: int,
    allow_private: bool,
    resolver: Resolver = system_resolver,
    internal: Callable[[str], bool] = is_internal,
) -> str:
    """The address to connect to for `host`; JobFailure when it cannot be resolved or any address is internal.

    The caller connects to this very address (not to the name again), so a second DNS answer cannot
    swap in an internal address after the check (DNS rebinding).
    """
    ip = literal(host)
    if ip is not None:
        addresses = [ip]
    else:
        try:
            addresses = await resolver(host, port)
        except OSError as exc:
            raise JobFailure(f"cannot resolve {host!r}: {exc}", retryable=True) from None
        if not addresses:
            raise JobFailure(f"{host!r} has no address", retryable=True)
    if not allow_private:
        for addr in addresses:
            if internal(addr):
                raise JobFailure(
                    f"{host!r} resolves to {addr}, an internal address (loopback, private, link-local...): refused; "
                    "set `allow_private: true` on the job to allow it",
                    retryable=False,
                )
    return addresses[0]
