"""`sogoms-db`: query, query_one, insert, update, delete, introspect, health for every app's database."""

from __future__ import annotations

import logging
import sys

from adapters.config.apps import YamlAppRepository
from adapters.ipc.dispatch import actions_of
from adapters.ipc.ports import DATABASE_ACTIONS
from adapters.ipc.server import IpcServer
from adapters.sql.database import SqlAlchemyDatabase
from domain.app import DatabaseSettings
from domain.errors import ConfigError
from entrypoints.service import prepare, run, run_service, service_args

from .positional import PositionalArgs

log = logging.getLogger("sogoms.db")


def main(argv: list[str] | None = None) -> int:
    args = service_args("db", "SOGOMS database service").parse_args(argv)
    paths, socket = prepare(args, "db")
    repo = YamlAppRepository(paths.config, paths.secrets)

    def settings() -> dict[str, DatabaseSettings]:
        return {d.name: repo.load_settings(d).database for d in repo.app_dirs()}

    try:
        initial = settings()
    except ConfigError as exc:
        print(f"sogoms-db: {exc.message}", file=sys.stderr)
        return 2
    database = SqlAlchemyDatabase(paths.secrets, initial)
    server = IpcServer(socket, actions_of(PositionalArgs(database), DATABASE_ACTIONS), name="sogoms-db")

    async def reload() -> None:
        try:
            await database.configure(settings())
            log.info("sogoms-db: app settings reloaded")
        except ConfigError as exc:
            log.error("sogoms-db: reload refused, keeping the previous settings: %s", exc.message)

    async def serve() -> None:
        await run_service(server, on_reload=reload, on_stop=database.close)

    return run(serve)


if __name__ == "__main__":
    sys.exit(main())
