"""`sogoms-cron`: runs every app's cron.yaml jobs; actions list, trigger, status, health; SIGHUP reloads."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket as sockets
import sys
from typing import Any

from adapters.config.apps import YamlAppRepository
from adapters.schedule.cron_file import load_all_crons
from application.cron.actions import CRON_ACTIONS
from domain.app import DatabaseSettings
from domain.cron import AppCron
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

from .container import CronContainer

log = logging.getLogger("sogoms.cron")


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


def build_service(args: argparse.Namespace, paths: Paths) -> Service:
    crons, settings = load(paths)
    container = build(paths, args.db, args.logs)
    database, catalog, scheduler = container.database(), container.catalog(), container.scheduler()
    catalog.replace(crons)

    async def start() -> None:
        if args.db == "inproc":
            await database.configure(settings)
        scheduler.configure()

    async def reload() -> None:
        new_crons, new_settings = load(paths)
        if args.db == "inproc":
            await database.configure(new_settings)
        catalog.replace(new_crons)
        scheduler.configure()
        log.info("sogoms-cron: %d jobs reloaded", sum(len(c.jobs) for c in new_crons.values()))

    actions = container.actions()
    return Service(
        "cron",
        actions,
        CRON_ACTIONS,
        start=start,
        reload=reload,
        background=[scheduler.run],
        stop=[scheduler.close, actions.close],
        closing=[database, container.logs(), container.mail(), container.services(), container.http()],
    )


def main(argv: list[str] | None = None) -> int:
    parser = service_args("cron", "SOGOMS scheduled jobs")
    parser.add_argument("--db", choices=("inproc", "ipc"), default="inproc", help="database in-process or sogoms-db")
    parser.add_argument("--logs", choices=("inproc", "ipc"), default="inproc", help="log files or sogoms-logs")
    return service_main(parser, "cron", build_service, argv)


if __name__ == "__main__":
    sys.exit(main())
