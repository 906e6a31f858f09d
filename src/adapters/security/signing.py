"""HMAC-SHA256 signed cookie values, the signing key file (created 0600 if missing), and random tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from pathlib import Path

from domain.errors import ConfigError

from ..config.secrets import read_secret, secret_path, write_secret

MIN_KEY = 32


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class CookieSigner:
    """`value.signature`; a value signed for one purpose never verifies for another."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY:
            raise ConfigError(f"the admin session key must be at least {MIN_KEY} bytes")
        self._key = key

    def _mac(self, purpose: str, value: str) -> str:
        return _b64(hmac.new(self._key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest())

    def sign(self, purpose: str, value: str) -> str:
        return f"{value}.{self._mac(purpose, value)}"

    def unsign(self, purpose: str, signed: str | None) -> str | None:
        """The value when the signature is right; None for anything else (missing, tampered, other purpose)."""
        if not signed or len(signed) > 512:
            return None
        value, sep, mac = signed.rpartition(".")
        if not sep or not value:
            return None
        return value if hmac.compare_digest(mac, self._mac(purpose, value)) else None


def session_key(secrets_dir: Path, name: str) -> bytes:
    """The key in `{SECRETS_DIR}/{name}`, created (random, mode 0600) the first time."""
    write_secret(secret_path(secrets_dir, name), base64.b64encode(secrets.token_bytes(48)))
    return read_secret(secrets_dir, name, "admin session key")


class SecretsRandomness:
    """Implements Randomness with the `secrets` module."""

    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def secret(self) -> bytes:
        return secrets.token_urlsafe(48).encode()
