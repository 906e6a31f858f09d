"""Failover nodes and causal reads on a real MariaDB (the Galera behaviour itself is in tests/cluster/)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.engines import create_engine
from domain.app import DatabaseSettings
from domain.errors import Unavailable
from tests.conftest import mariadb
from tests.support.databases import create_mariadb, drop_mariadb
from tests.support.processes import free_port

pytestmark = [mariadb, pytest.mark.mariadb]


@pytest.fixture
def url() -> Iterator[str]:
    u = create_mariadb("sogoms_t_failover")
    yield u
    drop_mariadb(u)


def on_port(url: str, port: int) -> str:
    return make_url(url).set(port=port).render_as_string(hide_password=False)


def test_a_node_that_does_not_answer_is_skipped_for_the_next_one(url: str, tmp_path: Path, caplog) -> None:
    real = make_url(url)
    down = free_port()  # nothing listens there
    settings = DatabaseSettings(url=on_port(url, down), failover=(f"{real.host}:{real.port or 3306}",), pool_size=2)

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": settings})
        try:
            assert await db.query_one("a", "SELECT 1 AS one", {}) == {"one": 1}
        finally:
            await db.close()

    with caplog.at_level(logging.WARNING, logger="sogoms.db"):
        asyncio.run(go())
    assert f"now connected to {real.host}:{real.port or 3306}; skipped 127.0.0.1:{down} (" in caplog.text


def test_without_an_answering_node_it_is_a_503(url: str, tmp_path: Path) -> None:
    settings = DatabaseSettings(url=on_port(url, free_port()), failover=(f"127.0.0.1:{free_port()}",), pool_size=1)

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": settings})
        try:
            with pytest.raises(Unavailable):
                await db.query_one("a", "SELECT 1 AS one", {})
        finally:
            await db.close()

    asyncio.run(go())


@pytest.mark.parametrize("causal", [True, False])
def test_causal_reads_set_wsrep_sync_wait_on_each_session(url: str, tmp_path: Path, causal: bool) -> None:
    """A server without Galera takes the setting and ignores it; on a cluster node it makes reads wait."""

    async def go() -> None:
        db = SqlAlchemyDatabase(tmp_path, {"a": DatabaseSettings(url=url, pool_size=1, causal_reads=causal)})
        try:
            row = await db.query_one("a", "SELECT @@session.wsrep_sync_wait AS w", {})
            assert row == {"w": 1 if causal else 0}
        finally:
            await db.close()

    asyncio.run(go())


def test_the_reachability_probe_never_waits_for_causality(url: str, tmp_path: Path) -> None:
    """A node catching up after a rejoin answers at once but makes causal reads wait: the probe that decides whether
    the database is silent must not wait with them (a cluster test saw a live node taken for silent: 503)."""

    async def go() -> None:
        settings = DatabaseSettings(url=url, pool_size=1, causal_reads=True)
        probe = create_engine(settings, tmp_path, "a", probe=True)
        try:
            async with probe.connect() as conn:
                assert (await conn.exec_driver_sql("SELECT @@session.wsrep_sync_wait")).scalar() == 0
        finally:
            await probe.dispose()

    asyncio.run(go())
