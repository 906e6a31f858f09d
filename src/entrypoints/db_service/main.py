"""`sogoms-db`: query, query_one, insert, update, delete, introspect, health for every app's database."""

from __future__ import annotations

import argparse
import logging
import sys

from application.ports.database import DATABASE_ACTIONS
from domain.app import DatabaseSettings
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

from .container import DbContainer

log = logging.getLogger("sogoms.db")


def build(args: argparse.Namespace, paths: Paths) -> Service:
    container = DbContainer()
    container.config.from_dict({"paths": {"config": paths.config, "secrets": paths.secrets}})
    repo = container.apps()

    def settings() -> dict[str, DatabaseSettings]:
        return {d.name: repo.load_settings(d).database for d in repo.app_dirs()}

    container.database_settings.override(settings())
    database = container.database()

    async def reload() -> None:
        await database.configure(settings())
        log.info("sogoms-db: app settings reloaded")

    return Service("db", container.actions(), DATABASE_ACTIONS, reload=reload, closing=[database])


def main(argv: list[str] | None = None) -> int:
    return service_main(service_args("db", "SOGOMS database service"), "db", build, argv)


if __name__ == "__main__":
    sys.exit(main())
