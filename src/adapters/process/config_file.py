"""Load `config/sogoctl.yaml` into the domain's SupervisorConfig, binaries resolved, order checked."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from adapters.config.strict import convert, read_yaml
from domain.errors import ConfigError
from domain.supervision import ServiceSpec, SupervisorConfig, SupervisorSettings

MAX_SOCKET_PATH = 107  # sun_path is 108 bytes on Linux, NUL included


@dataclasses.dataclass(frozen=True, slots=True)
class _File:
    supervisor: dict[str, Any] | None = None
    services: dict[str, Any] | None = None


def resolve_binary(binary: str) -> str:
    """An absolute path as is, a relative path from the current folder, else a console script next to
    this Python (the venv's bin), else the PATH; ConfigError when none is an executable file."""
    if os.sep in binary:
        path = Path(binary).absolute()
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise ConfigError(f"binary {binary} is not an executable file")
    beside = Path(sys.executable).parent / binary
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which(binary)
    if found:
        return found
    raise ConfigError(f"binary {binary!r} not found in {beside.parent} or on the PATH")


def load_supervisor_config(path: Path, env: dict[str, str] | None = None) -> SupervisorConfig:
    """The file decoded strictly (unknown keys refused, `${VAR:-default}` expanded), every enabled
    service's binary resolved, and dependencies checked (unknown, disabled or cyclic: ConfigError)."""
    raw = read_yaml(path, env)
    where = str(path)
    top = convert(raw if raw is not None else {}, _File, where)
    settings = convert(top.supervisor or {}, SupervisorSettings, f"{where}: in `supervisor`")
    services: dict[str, ServiceSpec] = {}
    for name, entry in (top.services or {}).items():
        label = f"{where}: in service `{name}`"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label}: expected a mapping (binary, args, health_socket...), got {entry!r}")
        spec = convert(entry, ServiceSpec, label)
        if spec.health_socket and len(os.fsencode(spec.health_socket)) > MAX_SOCKET_PATH:
            raise ConfigError(
                f"{label}: health_socket {spec.health_socket} is {len(os.fsencode(spec.health_socket))} bytes long; "
                f"a Unix socket path is at most {MAX_SOCKET_PATH} (use a shorter SOGOMS_RUN_DIR)"
            )
        if spec.enabled:
            try:
                spec = dataclasses.replace(spec, binary=resolve_binary(spec.binary))
            except ConfigError as exc:
                raise ConfigError(f"{label}: {exc.message}") from None
        services[str(name)] = spec
    config = SupervisorConfig(supervisor=settings, services=services)
    try:
        config.start_order()
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None
    return config
