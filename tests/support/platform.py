"""A complete platform folder for a test: config (demo apps), secrets, data, logs, run dirs."""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.config.secrets import new_jwt_secret, write_secret
from adapters.sql.database import SqlAlchemyDatabase
from application.schema.migrations import ApplyMigrations
from entrypoints.paths import Paths

from .databases import drop_mariadb, new_database

ROOT = Path(__file__).resolve().parents[2]
DEMO_APPS = ("prokov", "koprogo")


@dataclass
class Platform:
    root: Path
    paths: Paths
    backend: str
    urls: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        """Environment for a subprocess of this platform (services, CLI)."""
        env = dict(os.environ)
        env.update(
            {
                "SOGOMS_CONFIG_DIR": str(self.paths.config),
                "SOGOMS_RUN_DIR": str(self.paths.run),
                "SOGOMS_LOG_DIR": str(self.paths.logs),
                "SOGOMS_SECRETS_DIR": str(self.paths.secrets),
                "SOGOMS_DATA_DIR": str(self.paths.data),
            }
        )
        for app, url in self.urls.items():
            env[f"{app.upper()}_DATABASE_URL"] = url
        return env

    def apply_env(self, monkeypatch: object) -> None:
        for key, value in self.env.items():
            if key.startswith("SOGOMS_") or key.endswith("_DATABASE_URL"):
                monkeypatch.setenv(key, value)  # type: ignore[attr-defined]

    def cleanup(self) -> None:
        if self.backend == "mariadb":
            for url in self.urls.values():
                drop_mariadb(url)


def build_platform(tmp_path: Path, backend: str, apps: tuple[str, ...] = DEMO_APPS, migrate: bool = True) -> Platform:
    """Copy the demo apps into `tmp_path`, give each a fresh database, create secrets, run migrations."""
    root = tmp_path / "platform"
    config = root / "config"
    (config / "apps").mkdir(parents=True)
    for name in os.listdir(ROOT / "config"):
        src = ROOT / "config" / name
        if src.is_file():
            shutil.copy(src, config / name)
    for app in apps:
        shutil.copytree(ROOT / "config" / "apps" / app, config / "apps" / app)
    paths = Paths(config=config, run=root / "run", logs=root / "log", secrets=root / "secrets", data=root / "data")
    paths.ensure()
    platform = Platform(root, paths, backend)
    for app in apps:
        platform.urls[app] = new_database(backend, root, app)
        write_secret(paths.secrets / f"{app}_jwt_secret", new_jwt_secret())
    if migrate:
        old = {k: os.environ.get(k) for k in platform.env if k.endswith("_DATABASE_URL") or k.startswith("SOGOMS_")}
        os.environ.update({k: v for k, v in platform.env.items() if k in old})
        try:
            asyncio.run(_migrate(paths, apps))
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    return platform


async def _migrate(paths: Paths, apps: tuple[str, ...]) -> None:
    repo = YamlAppRepository(paths.config, paths.secrets)
    for app in apps:
        settings = repo.load_settings(paths.config / "apps" / app)
        db = SqlAlchemyDatabase(paths.secrets, {app: settings.database})
        try:
            await ApplyMigrations(FolderMigrations(paths.config / "apps"), db, db, SystemClock())(
                app, settings.database.dialect, apply=True
            )
        finally:
            await db.close()
