"""Secrets come from files in SOGOMS_SECRETS_DIR; a short JWT secret stops the app with a clear message."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from adapters.config.secrets import MIN_JWT_SECRET, read_jwt_secret, read_secret, write_secret
from domain.errors import ConfigError
from entrypoints.cli.main import main as sogoms

from .conftest import SECRET, AppFolder


def test_the_jwt_secret_is_read_from_the_secrets_dir(shop: AppFolder) -> None:
    assert shop.load().jwt_secret == SECRET  # the trailing newline of the file is not part of it


def test_an_absolute_secret_path_is_taken_as_is(tmp_path: Path) -> None:
    elsewhere = tmp_path / "run" / "secrets" / "x"
    elsewhere.parent.mkdir(parents=True)
    elsewhere.write_bytes(b"value\r\n")
    assert read_secret(tmp_path / "unused", str(elsewhere), "app shop") == b"value"


def test_a_missing_secret_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        read_jwt_secret(tmp_path, "shop_jwt", "shop")
    assert err.value.message == (
        f"app shop: secret file {tmp_path / 'shop_jwt'} does not exist (create it with `sogoms secrets init`)"
    )


@pytest.mark.parametrize("size", [0, 1, MIN_JWT_SECRET - 1])
def test_a_jwt_secret_shorter_than_32_bytes_is_refused(tmp_path: Path, size: int) -> None:
    (tmp_path / "shop_jwt").write_bytes(b"k" * size + b"\n")
    with pytest.raises(ConfigError) as err:
        read_jwt_secret(tmp_path, "shop_jwt", "shop")
    assert err.value.message == (
        f"app shop: JWT secret {tmp_path / 'shop_jwt'} is {size} bytes; at least 32 are required "
        "(delete it and run `sogoms secrets init shop`)"
    )


def test_a_jwt_secret_of_exactly_32_bytes_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "shop_jwt").write_bytes(b"k" * 32 + b"\n")
    assert read_jwt_secret(tmp_path, "shop_jwt", "shop") == b"k" * 32


def test_loading_an_app_with_a_short_secret_stops(shop: AppFolder) -> None:
    (shop.secrets / "shop_jwt").write_bytes(b"short\n")
    with pytest.raises(ConfigError, match="is 5 bytes; at least 32 are required"):
        shop.repo().load_all()


def test_write_secret_creates_0600_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new" / "key"
    assert write_secret(path, b"first") is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert write_secret(path, b"second") is False
    assert path.read_bytes() == b"first\n"


def secrets_init(shop: AppFolder, monkeypatch: pytest.MonkeyPatch, *apps: str) -> int:
    monkeypatch.setenv("SOGOMS_SECRETS_DIR", str(shop.secrets))
    return sogoms(["--config", str(shop.root), "secrets", "init", *apps])


def test_secrets_init_creates_the_missing_files_with_mode_0600(
    shop: AppFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (shop.secrets / "shop_jwt").unlink()
    shop.write("app.yaml", shop.folder.joinpath("app.yaml").read_text() + "crypt: {key_file: shop_key}\n")
    assert secrets_init(shop, monkeypatch, "shop") == 0
    for name in ("shop_jwt", "shop_key", "shop_blind_index_key"):
        path = shop.secrets / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, name
        assert len(path.read_bytes().strip()) >= MIN_JWT_SECRET
    assert f"created {shop.secrets / 'shop_jwt'}" in capsys.readouterr().out
    assert shop.load().jwt_secret == (shop.secrets / "shop_jwt").read_bytes().strip()


def test_secrets_init_does_not_overwrite_an_existing_secret(
    shop: AppFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (shop.secrets / "shop_jwt").read_bytes()
    os.chmod(shop.secrets / "shop_jwt", 0o640)
    assert secrets_init(shop, monkeypatch, "shop") == 0
    assert (shop.secrets / "shop_jwt").read_bytes() == before
    assert "exists  " + str(shop.secrets / "shop_jwt") in capsys.readouterr().out


def test_secrets_init_of_an_invalid_app_is_a_message_and_exit_2(
    shop: AppFolder, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shop.write("app.yaml", "app: shop\nhosts: [shop.test]\ndatabase: {url: x, pol: 1}\n")
    assert secrets_init(shop, monkeypatch, "shop") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"sogoms: {shop.folder / 'app.yaml'}: unknown key `database.pol`")
    assert "Traceback" not in err
