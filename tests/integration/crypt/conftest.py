"""An app's key files in a tmp secrets dir, and the in-process cipher over them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.config.secrets import write_secret
from adapters.crypt.aesgcm import AesGcmCipher
from adapters.crypt.keyring import new_blind_key_text, new_keyring_text
from domain.app import AppSettings, DatabaseSettings


def settings(app: str) -> AppSettings:
    return AppSettings(app=app, hosts=(f"{app}.test",), database=DatabaseSettings(url="sqlite+aiosqlite:///x.db"))


def make_keys(secrets: Path, app: str) -> None:
    write_secret(secrets / f"{app}_crypt_key", new_keyring_text(app))
    write_secret(secrets / f"{app}_blind_index_key", new_blind_key_text())


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    path = tmp_path / "secrets"
    for app in ("shop", "other"):
        make_keys(path, app)
    return path


@pytest.fixture
def cipher(secrets: Path) -> AesGcmCipher:
    return AesGcmCipher(secrets, {"shop": settings("shop"), "other": settings("other")})
