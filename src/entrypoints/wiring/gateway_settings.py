"""The gateway's own settings (`config/gateway.yaml`); every key optional."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from adapters.config.strict import load_yaml_as
from domain.durations import parse_duration

_SIZES = {"": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20}


def parse_size(text: str | int) -> int:
    if isinstance(text, int):
        return text
    s = text.strip().lower()
    num = s.rstrip("abikmgs ")
    unit = s[len(num) :].strip()
    if unit not in _SIZES or not num:
        raise ValueError(f"expected a size like '1MiB' or '512KiB', got {text!r}")
    return int(float(num) * _SIZES[unit])


@dataclass(frozen=True, slots=True)
class Transports:
    db: str = "inproc"
    logs: str = "inproc"
    smtp: str = "ipc"
    push: str = "off"
    crypt: str = "inproc"

    def __post_init__(self) -> None:
        for name in ("db", "logs", "crypt"):
            if getattr(self, name) not in ("inproc", "ipc"):
                raise ValueError(f"transport for {name} must be 'inproc' or 'ipc'")
        if self.smtp not in ("inproc", "ipc", "off"):
            raise ValueError("transport for smtp must be 'inproc', 'ipc' or 'off'")
        if self.push not in ("ipc", "off"):
            raise ValueError("transport for push must be 'ipc' or 'off'")


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 0
    max_body: str = "1MiB"
    body_timeout: str = "10s"
    header_timeout: str = "10s"
    keepalive: str = "5s"
    graceful_timeout: str = "20s"
    trusted_proxies: tuple[str, ...] = ()
    # who may read /metrics and /ready (never through an app's host): networks of the caller's address
    ops_allow: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    cors_origins: tuple[str, ...] = ()
    transport: Transports = field(default_factory=Transports)
    ipc_timeout: str = "5s"
    argon2_workers: int = 0

    def __post_init__(self) -> None:
        parse_size(self.max_body)
        for net in (*self.ops_allow, *self.trusted_proxies):
            try:
                ipaddress.ip_network(net, strict=False)
            except ValueError:
                raise ValueError(f"{net!r} is not an address or network (e.g. 10.0.0.0/8)") from None
        for name in ("body_timeout", "header_timeout", "keepalive", "graceful_timeout", "ipc_timeout"):
            parse_duration(getattr(self, name))
        if not 0 < self.port < 65536:
            raise ValueError("port must be between 1 and 65535")
        if self.workers < 0:
            raise ValueError("workers must be 0 (one per CPU) or more")

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @property
    def hashing_threads(self) -> int:
        """argon2 threads per worker: `argon2_workers`, or the CPUs shared out between the workers (at least one).
        More hashing threads than cores only makes every hash, and every other request, wait for the CPU."""
        return self.argon2_workers or max(1, (os.cpu_count() or 1) // self.worker_count)

    @property
    def max_body_bytes(self) -> int:
        return parse_size(self.max_body)


def load_gateway_settings(config_dir: Path) -> GatewaySettings:
    path = Path(config_dir) / "gateway.yaml"
    if not path.exists():
        return GatewaySettings()
    return load_yaml_as(path, GatewaySettings)
