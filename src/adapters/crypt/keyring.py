"""An app's field-encryption key files: the keyring (`{app}_crypt_key`) and the blind-index key.

The keyring is text, one `key-id: base64` line per 256-bit key, and `active: key-id` naming the key that
encrypts (without it, the last key). Every listed key decrypts. A file holding one bare base64 line (what
older `sogoms secrets init` wrote) is that key as `k1`. Files are written whole, atomically, mode 0600.
No cipher library is imported here: the gateway checks a key exists without loading OpenSSL.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from adapters.config.secrets import secret_path
from domain.app import AppSettings
from domain.crypt import KEY_ID
from domain.errors import ConfigError

KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class Keyring:
    keys: dict[str, bytes]
    active: str

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ValueError(f"active key {self.active!r} is not in the keyring")

    @property
    def retiring(self) -> tuple[str, ...]:
        """Keys that still decrypt but no longer encrypt."""
        return tuple(k for k in self.keys if k != self.active)

    def text(self, app: str) -> str:
        lines = [
            f"# Field-encryption keys of app {app} (AES-256-GCM, base64). Every key decrypts; `active` encrypts.",
            "# Managed by `sogoms secrets init` and `sogoms crypt rotate`: never delete a key a row still uses.",
            f"active: {self.active}",
        ]
        lines += [f"{kid}: {base64.b64encode(key).decode()}" for kid, key in self.keys.items()]
        return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class KeyFiles:
    """Where one app's keys are."""

    keyring: Path
    blind: Path

    @staticmethod
    def of(secrets_dir: Path, settings: AppSettings) -> KeyFiles:
        return KeyFiles(
            secret_path(secrets_dir, settings.crypt_key_file), secret_path(secrets_dir, settings.blind_index_file)
        )


def new_key_bytes() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{where}: not base64") from None
    if len(key) != KEY_BYTES:
        raise ConfigError(f"{where}: a key must be {KEY_BYTES} bytes (base64 of 32 random bytes), not {len(key)}")
    return key


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist (create it with `sogoms secrets init`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None


def parse_keyring(text: str, path: Path) -> Keyring:
    keys: dict[str, bytes] = {}
    active = ""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"{path} line {number}"
        name, sep, value = line.partition(":")
        if not sep:
            if keys:
                raise ConfigError(f"{where}: expected `key-id: base64`")
            keys["k1"] = _key(line, where)
            continue
        name = name.strip()
        if name == "active":
            active = value.strip()
            continue
        if not KEY_ID.match(name):
            raise ConfigError(f"{where}: key id {name!r} must be letters, digits, '-' or '_' (at most 32)")
        if name in keys:
            raise ConfigError(f"{where}: key id {name!r} is listed twice")
        keys[name] = _key(value, where)
    if not keys:
        raise ConfigError(f"{path}: holds no key (create one with `sogoms secrets init`)")
    active = active or list(keys)[-1]
    if active not in keys:
        raise ConfigError(f"{path}: `active: {active}` names no key of the file")
    return Keyring(keys, active)


def read_keyring(path: Path) -> Keyring:
    return parse_keyring(_read(path, "field-encryption keyring"), path)


def read_blind_key(path: Path) -> bytes:
    text = _read(path, "blind-index key")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    if len(lines) != 1:
        raise ConfigError(f"{path}: must hold exactly one base64 key")
    return _key(lines[0], str(path))


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` whole (a reader sees the old file or the new one, never half), mode 0600, synced."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def new_keyring_text(app: str) -> bytes:
    return Keyring({"k1": new_key_bytes()}, "k1").text(app).rstrip("\n").encode()


def new_blind_key_text() -> bytes:
    return base64.b64encode(new_key_bytes())


def check_keys(secrets_dir: Path, settings: AppSettings, encrypted: str | None, blind: str | None) -> None:
    """ConfigError naming the field (`table.column`) and the key file it needs, when that file is missing or bad."""
    files = KeyFiles.of(secrets_dir, settings)
    for field, path, what in ((encrypted, files.keyring, "keyring"), (blind, files.blind, "blind-index key")):
        if field is None:
            continue
        try:
            read_keyring(path) if path is files.keyring else read_blind_key(path)
        except ConfigError as exc:
            raise ConfigError(
                f"app {settings.app}: field {field} is encrypted but its {what} cannot be used: {exc.message}"
            ) from None


class FileKeyrings:
    """Implements Keyrings (application.crypt.ports) on the apps' keyring files; every change is one atomic write,
    which every process running the cipher picks up within a second."""

    def __init__(self, secrets_dir: Path, settings: dict[str, AppSettings]) -> None:
        self._secrets, self._settings = Path(secrets_dir), settings

    def _path(self, app_id: str) -> Path:
        return KeyFiles.of(self._secrets, self._settings[app_id]).keyring

    def key_ids(self, app_id: str) -> tuple[str, ...]:
        return tuple(read_keyring(self._path(app_id)).keys)

    def active(self, app_id: str) -> str:
        return read_keyring(self._path(app_id)).active

    def add_key(self, app_id: str) -> str:
        from domain.crypt import next_key_id

        ring = read_keyring(self._path(app_id))
        kid = next_key_id(list(ring.keys))
        write_atomically(self._path(app_id), Keyring({**ring.keys, kid: new_key_bytes()}, kid).text(app_id))
        return kid

    def retire(self, app_id: str, key_ids: tuple[str, ...]) -> None:
        ring = read_keyring(self._path(app_id))
        if ring.active in key_ids:
            raise ConfigError(f"app {app_id}: the active key {ring.active} cannot be retired")
        keys = {k: v for k, v in ring.keys.items() if k not in key_ids}
        write_atomically(self._path(app_id), Keyring(keys, ring.active).text(app_id))
