"""The CLI's composition root: the app repository, and the database of the one app a command works on.

The database is a dependency-injector `Resource`: opened when a command first asks for it, closed by
`shutdown_resources()` (which `app_database` does on the way out, whatever the command's outcome).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.config.apps import YamlAppRepository
from domain.app import App
from entrypoints.paths import Paths


async def open_database(secrets_dir: Path, app: App) -> AsyncIterator[Any]:
    """The app's database in this process (SQLAlchemy, loaded only by the commands that use it), then closed."""
    from adapters.sql.database import SqlAlchemyDatabase

    database = SqlAlchemyDatabase(Path(secrets_dir), {app.name: app.settings.database})
    try:
        yield database
    finally:
        await database.close()


class CliContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    app: providers.Dependency[App] = providers.Dependency(instance_of=App)  # the app the command works on

    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    database = providers.Resource(open_database, secrets_dir=config.paths.secrets, app=app)


def cli_container(paths: Paths) -> CliContainer:
    container = CliContainer()
    container.config.from_dict({"paths": {"config": paths.config, "secrets": paths.secrets}})
    return container


def load_app(paths: Paths, name: str) -> App:
    """The app `name` as its files say (secrets not read: a command that needs one reads it itself)."""
    return cli_container(paths).apps().load(paths.config / "apps" / name, with_secrets=False)


@asynccontextmanager
async def app_database(paths: Paths, app: App) -> AsyncIterator[Any]:
    """The app's database for one command, closed when the command is done."""
    container = cli_container(paths)
    container.app.override(app)
    try:
        yield await container.database()
    finally:
        await container.shutdown_resources()  # type: ignore[misc]
