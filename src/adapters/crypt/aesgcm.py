"""The FieldCipher port on `cryptography`'s AES-256-GCM, with each app's keyring and blind-index key (HMAC-SHA256).

96-bit random nonces; associated data binds each value to app, table, column and row (domain.crypt). Keyrings are
re-read when their file changes (checked at most once a second, and at once when a value names an unknown key), so a
rotation started by `sogoms crypt rotate` reaches every process without a restart.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from application.ports.crypt import CipherItem, Opened
from domain.app import AppSettings
from domain.crypt import Sealed, associated_data, blind_input
from domain.errors import ConfigError, NotFound

from .keyring import KeyFiles, Keyring, read_blind_key, read_keyring

NONCE = 12
TAG = 16
REFRESH_SECONDS = 1.0


@dataclass
class _Keys:
    ring: Keyring
    aead: dict[str, AESGCM]
    blind: bytes
    stamp: tuple[int, int, int]
    checked: float


def _stamp(path: Path) -> tuple[int, int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size, st.st_ino


class AesGcmCipher:
    """Implements FieldCipher. `configure()` gives each app's settings (key file names); unknown apps are refused."""

    def __init__(
        self,
        secrets_dir: Path | str,
        settings: Mapping[str, AppSettings] | None = None,
        clock: Callable[[], float] = time.monotonic,
        resolve: Callable[[str], AppSettings | None] | None = None,
    ) -> None:
        self._secrets = Path(secrets_dir)
        self._settings: dict[str, AppSettings] = dict(settings or {})
        self._resolve = resolve  # an app's settings, read when an app not given is first asked for
        self._clock = clock
        self._keys: dict[str, _Keys] = {}

    def configure(self, settings: Mapping[str, AppSettings]) -> None:
        """New app settings (on reload); keys are read again at next use."""
        self._settings = dict(settings)
        self._keys.clear()

    def _files(self, app_id: str) -> KeyFiles:
        settings = self._settings.get(app_id)
        if settings is None and self._resolve is not None:
            settings = self._resolve(app_id)
            if settings is not None:
                self._settings[app_id] = settings
        if settings is None:
            raise NotFound(f"Unknown app {app_id!r}")
        return KeyFiles.of(self._secrets, settings)

    def _load(self, app_id: str) -> _Keys:
        files = self._files(app_id)
        try:
            stamp = _stamp(files.keyring)
        except FileNotFoundError:
            raise ConfigError(
                f"app {app_id}: field-encryption keyring {files.keyring} does not exist "
                f"(create it with `sogoms secrets init {app_id}`)"
            ) from None
        ring = read_keyring(files.keyring)
        keys = _Keys(ring, {k: AESGCM(v) for k, v in ring.keys.items()}, read_blind_key(files.blind), stamp, 0.0)
        keys.checked = self._clock()
        self._keys[app_id] = keys
        return keys

    def keys(self, app_id: str, *, fresh: bool = False) -> _Keys:
        """The app's keys, re-read if the keyring file changed since the last look (at most once a second)."""
        keys = self._keys.get(app_id)
        if keys is None:
            return self._load(app_id)
        now = self._clock()
        if fresh or now - keys.checked >= REFRESH_SECONDS:
            keys.checked = now
            try:
                changed = _stamp(self._files(app_id).keyring) != keys.stamp
            except FileNotFoundError:
                changed = True
            if changed:
                return self._load(app_id)
        return keys

    async def encrypt(self, app_id: str, items: list[CipherItem]) -> list[str]:
        keys = self.keys(app_id)
        kid = keys.ring.active
        aead = keys.aead[kid]
        out: list[str] = []
        for it in items:
            pending = it.row == ""
            nonce = os.urandom(NONCE)
            sealed = aead.encrypt(
                nonce, it.value.encode(), associated_data(app_id, it.table, it.column, it.row, pending=pending)
            )
            out.append(Sealed(kid, base64.b64encode(nonce + sealed).decode(), pending).text())
        return out

    async def decrypt(self, app_id: str, items: list[CipherItem]) -> Opened:
        keys = self.keys(app_id)
        values: list[str | None] = []
        errors: dict[str, str] = {}
        for i, it in enumerate(items):
            try:
                values.append(self._open(app_id, keys, it))
            except _Failure as exc:
                values.append(None)
                errors[str(i)] = str(exc)
                if exc.unknown_key:  # a key added since the last look (a rotation): read the keyring again
                    keys = self.keys(app_id, fresh=True)
                    try:
                        values[-1] = self._open(app_id, keys, it)
                        del errors[str(i)]
                    except _Failure as again:
                        errors[str(i)] = str(again)
        return Opened(values, errors)

    @staticmethod
    def _open(app_id: str, keys: _Keys, it: CipherItem) -> str:
        sealed = Sealed.parse(it.value)
        if sealed is None:
            raise _Failure("not an encrypted value (v1:<key-id>:<base64>)")
        aead = keys.aead.get(sealed.key_id)
        if aead is None:
            raise _Failure(f"key {sealed.key_id} is not in the keyring", unknown_key=True)
        try:
            raw = binascii.a2b_base64(sealed.payload, strict_mode=True)
        except (binascii.Error, ValueError):
            raise _Failure("the ciphertext is not base64") from None
        if len(raw) < NONCE + TAG:
            raise _Failure("the ciphertext is truncated")
        ad = associated_data(app_id, it.table, it.column, it.row, pending=sealed.pending)
        try:
            plain = aead.decrypt(raw[:NONCE], raw[NONCE:], ad)
        except InvalidTag:
            where = "this column" if sealed.pending else "this row and column"
            raise _Failure(
                f"does not decrypt under key {sealed.key_id} for {where}: altered, moved, or wrong key"
            ) from None
        try:
            return plain.decode()
        except UnicodeDecodeError:
            raise _Failure("decrypted bytes are not UTF-8") from None

    async def hash(self, app_id: str, items: list[CipherItem]) -> list[str]:
        key = self.keys(app_id).blind
        return [
            hmac.new(key, blind_input(app_id, it.table, it.column, it.value), hashlib.sha256).hexdigest()
            for it in items
        ]

    def status(self, app_id: str) -> dict[str, Any]:
        """The keyring's shape (ids, the active one), never the key material."""
        ring = self.keys(app_id, fresh=True).ring
        return {"active": ring.active, "keys": list(ring.keys), "retiring": list(ring.retiring)}

    async def health(self) -> dict[str, Any]:
        apps: dict[str, Any] = {}
        for app_id in sorted(self._keys):
            try:
                apps[app_id] = {"ok": True, **self.status(app_id)}
            except ConfigError as exc:
                apps[app_id] = {"ok": False, "error": exc.message}
        return {"ok": all(a["ok"] for a in apps.values()), "apps": apps}


class _Failure(Exception):
    def __init__(self, reason: str, *, unknown_key: bool = False) -> None:
        super().__init__(reason)
        self.unknown_key = unknown_key
