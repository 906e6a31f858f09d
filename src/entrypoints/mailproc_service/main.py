"""`sogoms-mailproc`: parse, apply_rules (an email becomes a row), settle, unsettled, messages, retry, address, health."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from adapters.config.apps import YamlAppRepository
from adapters.config.inbound_apps import load_inbound
from application.inbound.service import MAILPROC_ACTIONS
from domain.durations import parse_duration
from entrypoints.paths import Paths
from entrypoints.wiring import transports
from entrypoints.wiring.service import Service, service_args, service_main

from .container import MailprocContainer

log = logging.getLogger("sogoms.mailproc")


def build(args: argparse.Namespace, paths: Paths) -> Service:
    repo = YamlAppRepository(paths.config, paths.secrets)
    lease = parse_duration(args.lease)
    loaded = load_inbound(repo, paths.secrets)
    container = MailprocContainer()
    container.config.from_dict(
        {
            "paths": {"config": str(paths.config), "secrets": str(paths.secrets), "logs": str(paths.logs)},
            "sockets": {name: str(paths.socket(name)) for name in ("db", "logs", "smtp", "push")},
            "transport": {"db": args.db, "logs": args.logs, "push": args.push},
            "lease": lease,
        }
    )
    apps = container.apps()
    apps.use(loaded)
    database = container.database()

    async def configure_database() -> None:
        await transports.configure_database(
            database, {name: app.settings.database for name, app in apps.config.apps.items()}
        )

    async def start() -> None:
        await configure_database()
        log.info("sogoms-mailproc: rules of %d app(s) loaded", len(loaded.rules))

    async def reload() -> None:
        new = await asyncio.to_thread(load_inbound, repo, paths.secrets)
        apps.use(new)
        await configure_database()
        log.info("sogoms-mailproc: rules of %d app(s) reloaded", len(new.rules))

    closing = [database, container.logs(), container.mailer(), container.http()]
    return Service("mailproc", container.processor(), MAILPROC_ACTIONS, start=start, reload=reload, closing=closing)


def main(argv: list[str] | None = None) -> int:
    parser = service_args("mailproc", "SOGOMS inbound mail rules")
    parser.add_argument("--db", choices=("inproc", "ipc"), default="inproc", help="database in-process or sogoms-db")
    parser.add_argument("--logs", choices=("inproc", "ipc"), default="inproc", help="log files or sogoms-logs")
    parser.add_argument("--push", choices=("ipc", "off"), default="off", help="publish created rows via sogoms-push")
    parser.add_argument("--lease", default="2m", help="how long a message may stay claimed by a processor that died")
    return service_main(parser, "mailproc", build, argv)


if __name__ == "__main__":
    sys.exit(main())
