"""A fresh app database (SQLite or MariaDB) for the cron store tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from adapters.sql.database import SqlAlchemyDatabase
from domain.app import DatabaseSettings
from tests.support.databases import drop_mariadb, new_database


@pytest.fixture
def cron_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    url = new_database(backend, tmp_path, "cron")
    try:
        yield url
    finally:
        if backend == "mariadb":
            drop_mariadb(url)


@pytest.fixture
async def database(cron_db_url: str, tmp_path: Path) -> AsyncIterator[SqlAlchemyDatabase]:
    db = SqlAlchemyDatabase(tmp_path, {"app": DatabaseSettings(url=cron_db_url)})
    try:
        yield db
    finally:
        await db.close()
