"""sogoms-db's composition root: every app's database in this process, served in the seed's positional form."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.config.apps import YamlAppRepository
from adapters.sql.database import SqlAlchemyDatabase

from .positional import PositionalArgs


class DbContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    database_settings: providers.Object[dict[str, Any]] = providers.Object({})

    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    database = providers.Singleton(SqlAlchemyDatabase, secrets_dir=config.paths.secrets, settings=database_settings)
    actions = providers.Singleton(PositionalArgs, database=database)
