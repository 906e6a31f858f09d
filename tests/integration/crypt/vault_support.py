"""The `vault` test app (tests/integration/crypt/vault) on a fresh database, and readers of its raw storage."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from adapters.config.secrets import new_jwt_secret, write_secret
from adapters.crypt.keyring import new_blind_key_text, new_keyring_text
from tests.support.databases import new_database
from tests.support.platform import Platform, build_platform

HERE = Path(__file__).resolve().parent
SOGOMS = str(Path(sys.executable).parent / "sogoms")


def build_vault(tmp_path: Path, backend: str) -> Platform:
    p = build_platform(tmp_path, backend, apps=())
    shutil.copytree(HERE / "vault", p.paths.config / "apps" / "vault")
    p.urls["vault"] = new_database(backend, p.root, "vault")
    write_secret(p.paths.secrets / "vault_jwt_secret", new_jwt_secret())
    write_secret(p.paths.secrets / "vault_crypt_key", new_keyring_text("vault"))
    write_secret(p.paths.secrets / "vault_blind_index_key", new_blind_key_text())
    done = sogoms(p, "schema", "migrate", "vault", "--apply")
    assert done.returncode == 0, done.stderr + done.stdout
    return p


def sogoms(p: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOGOMS, *args], env=p.env, capture_output=True, text=True, timeout=120)


def raw_rows(p: Platform, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows as the database holds them (no decryption: what a stolen dump shows)."""
    from adapters.config.apps import YamlAppRepository
    from adapters.sql.database import SqlAlchemyDatabase

    settings = YamlAppRepository(p.paths.config, p.paths.secrets).load_settings(p.paths.config / "apps" / "vault")

    async def run() -> list[dict[str, Any]]:
        db = SqlAlchemyDatabase(p.paths.secrets, {"vault": settings.database})
        try:
            return await db.query("vault", sql, params or {})
        finally:
            await db.close()

    return asyncio.run(run())


def raw_write(p: Platform, sql: str, params: dict[str, Any]) -> None:
    from adapters.config.apps import YamlAppRepository
    from adapters.sql.database import SqlAlchemyDatabase

    settings = YamlAppRepository(p.paths.config, p.paths.secrets).load_settings(p.paths.config / "apps" / "vault")

    async def run() -> None:
        db = SqlAlchemyDatabase(p.paths.secrets, {"vault": settings.database})
        try:
            await db.update("vault", sql, params)
        finally:
            await db.close()

    asyncio.run(run())


def storage_bytes(p: Platform) -> bytes:
    """Every byte of the SQLite database (file and write-ahead log); the dump of every table on MariaDB."""
    if p.backend == "sqlite":
        path = Path(p.urls["vault"].split("///", 1)[1])
        return b"".join(f.read_bytes() for f in (path, Path(f"{path}-wal")) if f.exists())
    out = []
    for table in ("users", "folders", "notes", "sogoms_rate_limits"):
        try:
            out.append(repr(raw_rows(p, f"SELECT * FROM {table}")).encode())
        except Exception:  # noqa: BLE001 - a platform table this version does not have
            continue
    return b"".join(out)
