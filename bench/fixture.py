"""A throw-away platform for the benchmark: a fresh MariaDB database with prokov's schema, 200 projects for ana."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MARIADB = os.environ.get("SOGOMS_BENCH_MARIADB_URL", "mysql+asyncmy://root@127.0.0.1:3306")
PROJECTS = 200
LOGIN_ACCOUNTS = 32  # S4 signs in to these in turn: one account from 16 connections is refused 429 by design


@dataclass
class BenchPlatform:
    root: Path
    database: str  # MariaDB database name
    url: str  # its SQLAlchemy URL

    def env(self, name: str, **extra: str) -> dict[str, str]:
        """Environment of one gateway/service; each gateway gets its own run and log folders."""
        env = dict(os.environ)
        env.update(
            SOGOMS_CONFIG_DIR=str(self.root / "config"),
            SOGOMS_RUN_DIR=str(self.root / "run" / name),
            SOGOMS_LOG_DIR=str(self.root / "log" / name),
            SOGOMS_SECRETS_DIR=str(self.root / "secrets"),
            SOGOMS_DATA_DIR=str(self.root / "data"),
            PROKOV_DATABASE_URL=self.url,
            SOGOMS_LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env

    @property
    def jwt_secret(self) -> bytes:
        return (self.root / "secrets" / "prokov_jwt_secret").read_bytes().strip()


async def connect(database: str | None = None) -> Any:
    """An autocommit asyncmy connection to the bench's MariaDB server (to `database` if given)."""
    import asyncmy
    from sqlalchemy.engine import make_url

    u = make_url(MARIADB + "/x")
    return await asyncmy.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=database,
        autocommit=True,
    )


async def _admin(sql: str, database: str | None = None, many: list[tuple] | None = None) -> None:
    conn = await connect(database)
    try:
        async with conn.cursor() as cur:
            if many is not None:
                await cur.executemany(sql, many)
            else:
                await cur.execute(sql)
    finally:
        conn.close()


def create(root: Path) -> BenchPlatform:
    name = f"sogoms_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"))
    p = BenchPlatform(root, name, f"{MARIADB}/{name}")
    (root / "config" / "apps").mkdir(parents=True)
    for f in (ROOT / "config").iterdir():  # gateway.yaml, push.yaml...
        if f.is_file():
            shutil.copy(f, root / "config" / f.name)
    shutil.copytree(ROOT / "config" / "apps" / "prokov", root / "config" / "apps" / "prokov")
    env = p.env("cli")
    for cmd in (["secrets", "init", "prokov"], ["schema", "migrate", "prokov", "--apply"]):
        subprocess.run([str(BIN / "sogoms"), *cmd], env=env, check=True, capture_output=True)
    rows = [(1, f"Project {n}", f"Bench project number {n}", n) for n in range(3, PROJECTS + 1)]
    asyncio.run(
        _admin("INSERT INTO projects (user_id, name, description, position) VALUES (%s, %s, %s, %s)", name, rows)
    )
    asyncio.run(
        _admin(
            "INSERT INTO users (email, name, password, role) "
            "SELECT %s, 'Bench', password, 'user' FROM users WHERE email = 'ben@prokov.test'",
            name,
            [(email,) for email in login_emails()],
        )
    )
    return p


def login_emails() -> list[str]:
    """The accounts S4 signs in to (ben's password, demo1234)."""
    return [f"bench{n}@prokov.test" for n in range(LOGIN_ACCOUNTS)]


def login_bodies() -> list[dict]:
    return [{"email": e, "password": "demo1234"} for e in login_emails()]


def drop(p: BenchPlatform) -> None:
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS `{p.database}`"))
