"""Fixtures of the mail tests: a recording SMTP server, and a fresh app database for the outbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sql.database import SqlAlchemyDatabase
from domain.app import DatabaseSettings
from tests.support.databases import drop_mariadb, new_database

from .smtpd import Recorder, SmtpServer


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def smtpd(recorder: Recorder) -> Iterator[SmtpServer]:
    server = SmtpServer(recorder).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outbox_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of `backend` for the app `shop`."""
    url = new_database(backend, tmp_path, "shop")
    try:
        yield url
    finally:
        if backend == "mariadb":
            drop_mariadb(url)


@pytest.fixture
async def database(outbox_url: str, tmp_path: Path):
    db = SqlAlchemyDatabase(tmp_path, {"shop": DatabaseSettings(url=outbox_url)})
    try:
        yield db
    finally:
        await db.close()
