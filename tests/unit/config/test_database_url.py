"""The SQLAlchemy URL of an app: `url` as given (async drivers), or built from the seed's MariaDB fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.sql.engines import database_url
from domain.app import DatabaseSettings
from domain.errors import ConfigError

PASSWORD = "p@ss:w/rd#%?&=+ é"


def test_seed_fields_build_a_mariadb_url_with_the_password_escaped(tmp_path: Path) -> None:
    (tmp_path / "shop_db").write_text(PASSWORD + "\n")
    settings = DatabaseSettings(host="db.internal", port=3307, user="shop", password_file="shop_db", name="shopdb")
    url = database_url(settings, tmp_path, "shop")
    text = url.render_as_string(hide_password=False)
    userinfo = text.removeprefix("mysql+asyncmy://").rsplit("@db.internal:3307/shopdb", 1)[0]
    assert userinfo.startswith("shop:p%40ss%3Aw%2Frd%23%25%3F")
    assert not set("@/#?") & set(userinfo)
    parsed = make_url(text)  # the string survives a round trip: nothing in the password breaks the URL
    assert (parsed.username, parsed.password, parsed.host, parsed.port, parsed.database) == (
        "shop",
        PASSWORD,
        "db.internal",
        3307,
        "shopdb",
    )
    assert parsed.query == {"charset": "utf8mb4"}


def test_seed_fields_without_password_file(tmp_path: Path) -> None:
    url = database_url(DatabaseSettings(host="db", name="shop"), tmp_path, "shop")
    assert url.render_as_string(hide_password=False) == "mysql+asyncmy://db:3306/shop?charset=utf8mb4"


def test_a_missing_password_file_is_named(tmp_path: Path) -> None:
    settings = DatabaseSettings(host="db", name="shop", password_file="nope")
    with pytest.raises(ConfigError, match=f"app shop database: secret file {tmp_path / 'nope'} does not exist"):
        database_url(settings, tmp_path, "shop")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///var/data/a.db", "sqlite+aiosqlite:///var/data/a.db"),
        ("mysql://u:p@h:3306/d", "mysql+asyncmy://u:p@h:3306/d?charset=utf8mb4"),
        ("mariadb+pymysql://u:p@h/d?charset=latin1", "mysql+asyncmy://u:p@h/d?charset=latin1"),
    ],
)
def test_a_url_gets_the_async_driver(tmp_path: Path, given: str, expected: str) -> None:
    url = database_url(DatabaseSettings(url=given), tmp_path, "shop")
    assert url.render_as_string(hide_password=False) == expected


def test_an_unsupported_backend_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="database backend 'postgresql' is not supported"):
        database_url(DatabaseSettings(url="postgresql://h/d"), tmp_path, "shop")
