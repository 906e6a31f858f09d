"""`sogoms-cron`: runs every app's cron.yaml jobs; actions list, trigger, status, health; SIGHUP reloads."""

from __future__ import annotations

import logging
import os
import secrets
import socket as sockets
import sys
from typing import Any

from adapters.config.apps import YamlAppRepository
from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from adapters.schedule.cron_file import load_all_crons
from domain.app import DatabaseSettings
from domain.cron import AppCron
from domain.errors import ConfigError
from entrypoints.paths import Paths
from entrypoints.service import prepare, run, run_service, service_args

from .container import CronContainer

log = logging.getLogger("sogoms.cron")
CRON_ACTIONS = ("list", "trigger", "status", "health")


def load(paths: Paths) -> tuple[dict[str, AppCron], dict[str, DatabaseSettings]]:
    """Every app's jobs and database settings; ConfigError naming the file and key on the first problem."""
    repo = YamlAppRepository(paths.config, paths.secrets)
    settings = {d.name: repo.load_settings(d).database for d in repo.app_dirs()}
    return load_all_crons(paths.config), settings


def build(paths: Paths, db: str, logs: str) -> CronContainer:
    container = CronContainer()
    config: dict[str, Any] = {
        "paths": {"config": paths.config, "run": paths.run, "logs": paths.logs, "secrets": paths.secrets},
        "sockets": {name: paths.socket(name) for name in ("db", "logs", "smtp")},
        "transport": {"db": db, "logs": logs},
        "owner": f"{sockets.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}",
    }
    container.config.from_dict(config)
    return container


def main(argv: list[str] | None = None) -> int:
    parser = service_args("cron", "SOGOMS scheduled jobs")
    parser.add_argument("--db", choices=("inproc", "ipc"), default="inproc", help="database in-process or sogoms-db")
    parser.add_argument("--logs", choices=("inproc", "ipc"), default="inproc", help="log files or sogoms-logs")
    args = parser.parse_args(argv)
    paths, socket = prepare(args, "cron")
    try:
        crons, settings = load(paths)
    except ConfigError as exc:
        print(f"sogoms-cron: {exc.message}", file=sys.stderr)
        return 2
    container = build(paths, args.db, args.logs)
    database, catalog, scheduler, actions = (
        container.database(),
        container.catalog(),
        container.scheduler(),
        container.actions(),
    )
    catalog.replace(crons)
    server = IpcServer(socket, actions_of(actions, CRON_ACTIONS), name="sogoms-cron")

    async def reload() -> None:
        try:
            new_crons, new_settings = load(paths)
        except ConfigError as exc:
            log.error("sogoms-cron: reload refused, keeping the previous jobs: %s", exc.message)
            return
        if args.db == "inproc":
            await database.configure(new_settings)
        catalog.replace(new_crons)
        scheduler.configure()
        log.info("sogoms-cron: %d jobs reloaded", sum(len(c.jobs) for c in new_crons.values()))

    async def stop() -> None:
        await scheduler.close()
        await actions.close()
        for closable in (database, container.logs(), container.mail(), container.services(), container.http()):
            close = getattr(closable, "close", None)
            if close is not None:
                result = close()
                if hasattr(result, "__await__"):
                    await result

    async def serve() -> None:
        if args.db == "inproc":
            await database.configure(settings)
        scheduler.configure()
        await run_service(server, on_reload=reload, background=[scheduler.run], on_stop=stop)

    return run(serve)


if __name__ == "__main__":
    sys.exit(main())
