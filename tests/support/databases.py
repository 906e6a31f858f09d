"""Fresh databases for tests: a SQLite file, or a new MariaDB database (dropped afterwards)."""

from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

MARIADB_URL = os.environ.get("SOGOMS_TEST_MARIADB_URL", "")
BACKENDS = ["sqlite", "mariadb"]


def _split(url: str) -> tuple[str, str]:
    base, _, _db = url.rpartition("/")
    return base, _db.split("?", 1)[0]


async def _admin(sql: str) -> None:
    import asyncmy
    from sqlalchemy.engine import make_url

    u = make_url(MARIADB_URL)
    conn = await asyncmy.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        autocommit=True,
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
    finally:
        conn.close()


def create_mariadb(prefix: str = "sogoms_t") -> str:
    """A new empty MariaDB database; its SQLAlchemy URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    base, _ = _split(MARIADB_URL)
    return f"{base}/{name}"


def drop_mariadb(url: str) -> None:
    _, name = _split(url)
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS `{name}`"))


def new_database(backend: str, tmp_path: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / (name + '.db')}"
    return create_mariadb(f"sogoms_t_{name}")
