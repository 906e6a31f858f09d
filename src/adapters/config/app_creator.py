"""Create an app folder and its secret files, all or nothing."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
from pathlib import Path

import yaml

from application.admin.ports import NewAppFiles
from domain.errors import Conflict

from .apps import YamlAppRepository
from .secrets import secret_path, write_secret

HEADER = "# Created with the SOGOMS admin UI. Reference: docs/configuration.md\n"


class FolderAppCreator:
    """Implements AppCreator over `{config}/apps/` and `{SECRETS_DIR}`."""

    def __init__(self, config_dir: Path, secrets_dir: Path) -> None:
        self._apps = Path(config_dir) / "apps"
        self._secrets = Path(secrets_dir)

    async def exists(self, name: str) -> bool:
        return await asyncio.to_thread((self._apps / name).exists)

    def _create(self, files: NewAppFiles) -> str:
        final = self._apps / files.name
        staging = self._apps / f".creating-{files.name}-{secrets.token_hex(4)}"
        written: list[Path] = []
        try:
            folder = staging / files.name
            (folder / "queries").mkdir(parents=True)
            text = HEADER + yaml.safe_dump(files.app_yaml, sort_keys=False, allow_unicode=True)
            (folder / "app.yaml").write_text(text, encoding="utf-8")
            for name, value in files.secrets.items():
                path = secret_path(self._secrets, name)
                if not write_secret(path, value):
                    raise Conflict(f"secret file {name} already exists; remove it or choose another app name")
                written.append(path)
            YamlAppRepository(self._apps.parent, self._secrets).load(folder)  # as the gateway will load it
            if final.exists():
                raise Conflict(f"an app named {files.name!r} already exists")
            folder.rename(final)
            return str(final)
        except BaseException:
            for path in written:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    async def create(self, files: NewAppFiles) -> str:
        return await asyncio.to_thread(self._create, files)
