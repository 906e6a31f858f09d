"""A complete platform folder for a test: config (demo apps), secrets, data, logs, run dirs."""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.config.secrets import new_jwt_secret, write_secret
from adapters.crypt.keyring import new_blind_key_text, new_keyring_text
from adapters.sql.database import SqlAlchemyDatabase
from application.schema.migrations import ApplyMigrations
from entrypoints.cli.devmailbox_cmd import mailbox_root
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
        shutil.rmtree(self.paths.run, ignore_errors=True)
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
    # sockets live in a short folder of their own: a Unix socket path is at most 107 bytes, and pytest's tmp paths
    # (xdist worker, test name) plus `run/sogoms-mailproc.1.sock` can pass that
    run = Path(tempfile.mkdtemp(prefix="sogoms-run-"))
    atexit.register(shutil.rmtree, run, True)  # also for tests that never call cleanup()
    paths = Paths(config=config, run=run, logs=root / "log", secrets=root / "secrets", data=root / "data")
    paths.ensure()
    # a development mailbox Dovecot cannot reach under a closed tmp folder lives in the system's tmp: removed too
    atexit.register(shutil.rmtree, mailbox_root(paths.data), True)
    platform = Platform(root, paths, backend)
    for app in apps:
        platform.urls[app] = new_database(backend, root, app)
        write_secret(paths.secrets / f"{app}_jwt_secret", new_jwt_secret())
        write_secret(paths.secrets / f"{app}_crypt_key", new_keyring_text(app))
        write_secret(paths.secrets / f"{app}_blind_index_key", new_blind_key_text())
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
            await _seal_seed_data(paths, repo, app, db)
        finally:
            await db.close()


async def _seal_seed_data(paths: Paths, repo: YamlAppRepository, app: str, db: SqlAlchemyDatabase) -> None:
    """Encrypt in place what the SQL seed wrote into encrypted fields (what `schema migrate --apply` does)."""
    from adapters.crypt.aesgcm import AesGcmCipher
    from adapters.crypt.keyring import FileKeyrings
    from application.crypt.reseal import Resealer

    loaded = repo.load(paths.config / "apps" / app, with_secrets=False)
    if loaded.schema is None or not any(t.encrypted for t in loaded.schema.tables.values()):
        return
    settings = {app: loaded.settings}
    active = FileKeyrings(paths.secrets, settings).active(app)
    await Resealer(db, AesGcmCipher(paths.secrets, settings)).reseal(app, loaded.schema, active)
