"""Database settings for a Galera cluster: failover nodes (list or URL) and causal reads, checked at load time."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.sql.engines import database_url
from domain.app import DatabaseSettings
from domain.errors import ConfigError

from .conftest import AppFolder

URL = "mysql+asyncmy://app:pw@10.0.0.1:3306/shop"


def test_failover_nodes_from_the_list_and_from_the_url() -> None:
    listed = DatabaseSettings(url=URL, failover=("10.0.0.2", "10.0.0.3:3307", "[fd00::4]:3308"))
    assert listed.failover_hosts == (("10.0.0.2", 3306), ("10.0.0.3", 3307), ("fd00::4", 3308))
    in_url = DatabaseSettings(url=f"{URL}?charset=utf8mb4&failover=10.0.0.2:3306,10.0.0.3:3306")
    assert in_url.failover_hosts == (("10.0.0.2", 3306), ("10.0.0.3", 3306))
    assert DatabaseSettings(url=URL).failover_hosts == ()
    assert DatabaseSettings(url=URL).causal_reads is True


@pytest.mark.parametrize("entry", ["10.0.0.2:port", "10.0.0.2:0", "10.0.0.2:70000", ":3306", "a@b:3306", "x/y"])
def test_a_failover_entry_that_is_not_host_port_is_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="is not host:port"):
        DatabaseSettings(url=URL, failover=(entry,))
    with pytest.raises(ValueError, match="is not host:port"):
        DatabaseSettings(url=f"{URL}?failover={entry}")


def test_failover_is_for_mariadb_only() -> None:
    with pytest.raises(ValueError, match="failover is for MariaDB"):
        DatabaseSettings(url="sqlite+aiosqlite:///x.db", failover=("10.0.0.2",))


def test_the_failover_list_never_reaches_the_driver(tmp_path: Path) -> None:
    url = database_url(DatabaseSettings(url=f"{URL}?failover=10.0.0.2:3306"), tmp_path, "shop")
    assert url.query == {"charset": "utf8mb4"}
    assert (url.host, url.port, url.database) == ("10.0.0.1", 3306, "shop")


def test_app_yaml_names_a_bad_failover_entry(shop: AppFolder) -> None:
    shop.write(
        "app.yaml",
        "app: shop\nhosts: [shop.test]\ndatabase: {url: 'mysql://u@db1/shop', failover: [db2, 'db3:x']}\n",
    )
    with pytest.raises(ConfigError, match=r"database.*failover entry 'db3:x' is not host:port"):
        shop.load()


def test_app_yaml_takes_failover_and_causal_reads(shop: AppFolder) -> None:
    shop.write(
        "app.yaml",
        "app: shop\nhosts: [shop.test]\n"
        "database: {url: 'mysql://u@db1/shop', failover: [db2, 'db3:3307'], causal_reads: false}\n",
    )
    (shop.secrets / "shop_jwt_secret").write_bytes(b"s" * 32)
    db = shop.load().settings.database
    assert db.failover_hosts == (("db2", 3306), ("db3", 3307)) and db.causal_reads is False
