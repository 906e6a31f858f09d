"""Secret files under SOGOMS_SECRETS_DIR: read them, and create the missing ones with mode 0600."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from domain.errors import ConfigError

MIN_JWT_SECRET = 32


def secret_path(secrets_dir: Path, name: str) -> Path:
    """Relative names live in the secrets dir; an absolute path (the seed's /secrets/x) is taken as is."""
    p = Path(name)
    return p if p.is_absolute() else secrets_dir / p


def read_secret(secrets_dir: Path, name: str, what: str) -> bytes:
    path = secret_path(secrets_dir, name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{what}: secret file {path} does not exist (create it with `sogoms secrets init`)") from None
    except OSError as exc:
        raise ConfigError(f"{what}: cannot read secret file {path}: {exc.strerror}") from None
    return data.rstrip(b"\r\n")


def read_jwt_secret(secrets_dir: Path, name: str, app: str) -> bytes:
    data = read_secret(secrets_dir, name, f"app {app}")
    if len(data) < MIN_JWT_SECRET:
        path = secret_path(secrets_dir, name)
        raise ConfigError(
            f"app {app}: JWT secret {path} is {len(data)} bytes; at least {MIN_JWT_SECRET} are required "
            f"(delete it and run `sogoms secrets init {app}`)"
        )
    return data


def write_secret(path: Path, value: bytes) -> bool:
    """Create `path` with mode 0600 unless it exists; True when written."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as fh:
        fh.write(value + b"\n")
    os.chmod(path, 0o600)
    return True


def new_jwt_secret() -> bytes:
    return secrets.token_urlsafe(48).encode()


def new_secret() -> bytes:
    """A random 256-bit secret as URL-safe text (an HMAC key, a generated password: no ':' nor line break)."""
    return secrets.token_urlsafe(32).encode()
