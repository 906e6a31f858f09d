"""App folders on disk: the catalog, reading and atomically replacing their files, checked by the services' loaders."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from domain.app import App
from domain.errors import ConfigError, DomainError, NotFound

from .apps import YamlAppRepository

Check = Callable[[Path, Path], None]  # (app folder, file) -> None or ConfigError
Statements = Callable[[Path, str], frozenset[str]]  # (file, app) -> the SQL it runs; DomainError if it does not load


def write_atomically(path: Path, text: str, mode: int = 0o644) -> None:
    """Write a temp file beside `path`, flush it to disk, then rename it over `path` (readers see old or new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


class YamlAppCatalog:
    """Implements AppCatalog over `{config}/apps/`."""

    def __init__(self, repository: YamlAppRepository, config_dir: Path) -> None:
        self._repo = repository
        self._apps = Path(config_dir) / "apps"

    async def names(self) -> list[str]:
        return [d.name for d in await asyncio.to_thread(self._repo.app_dirs)]

    def _load(self, name: str) -> App:
        folder = self._apps / name
        if "/" in name or name.startswith(".") or not (folder / "app.yaml").is_file():
            raise NotFound(f"no app named {name!r}")
        return self._repo.load(folder, with_secrets=False)

    async def load(self, name: str) -> App:
        return await asyncio.to_thread(self._load, name)


class AppFolderFiles:
    """Implements AppFiles. `check` copies the folder aside, puts the new text in, and loads it as the services do."""

    def __init__(
        self,
        config_dir: Path,
        secrets_dir: Path,
        checks: dict[str, Check] | None = None,
        statements: dict[str, Statements] | None = None,
    ) -> None:
        self._apps = Path(config_dir) / "apps"
        self._secrets = Path(secrets_dir)
        self._checks = checks or {}
        self._statements = statements or {}  # by file path in the app folder: the SQL a file of that name runs

    def _path(self, app: str, relative: str) -> Path:
        folder = (self._apps / app).resolve()
        path = (folder / relative).resolve()
        if (path != folder and folder not in path.parents) or not folder.is_dir():
            raise NotFound(f"no file {relative!r} in app {app!r}")
        return path

    async def list(self, app_id: str, folder: str) -> list[str]:
        def names() -> list[str]:
            d = self._path(app_id, folder)
            return sorted(p.stem for p in d.glob("*.yaml") if p.is_file()) if d.is_dir() else []

        return await asyncio.to_thread(names)

    async def read(self, app_id: str, path: str) -> str | None:
        def read() -> str | None:
            p = self._path(app_id, path)
            return p.read_text(encoding="utf-8") if p.is_file() else None

        return await asyncio.to_thread(read)

    def _check(self, app: str, relative: str, text: str) -> None:
        source = self._path(app, ".")
        with tempfile.TemporaryDirectory(prefix="sogoms-admin-check-") as tmp:
            folder = Path(tmp) / "apps" / app
            shutil.copytree(source, folder, ignore=shutil.ignore_patterns(".*", "*.db", "*.sqlite*"))
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            try:
                YamlAppRepository(Path(tmp), self._secrets).load(folder, with_secrets=False)
                for prefix, check in self._checks.items():
                    if relative.startswith(prefix):
                        check(folder, target)
            except DomainError as exc:
                raise ConfigError(exc.message.replace(str(folder), f"apps/{app}")) from None

    async def check(self, app_id: str, path: str, text: str) -> None:
        await asyncio.to_thread(self._check, app_id, path, text)

    async def replace(self, app_id: str, path: str, text: str) -> None:
        await asyncio.to_thread(write_atomically, self._path(app_id, path), text)

    async def sql(self, app_id: str, path: str, text: str) -> frozenset[str]:
        read = self._statements.get(path)
        if read is None or not text.strip():
            return frozenset()

        def statements() -> frozenset[str]:
            with tempfile.TemporaryDirectory(prefix="sogoms-admin-sql-") as tmp:
                file = Path(tmp) / Path(path).name
                file.write_text(text, encoding="utf-8")
                try:
                    return read(file, app_id)
                except DomainError:
                    return frozenset()

        return await asyncio.to_thread(statements)
