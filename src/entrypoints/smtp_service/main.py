"""`sogoms-smtp`: send, send_template, send_bulk, status, health; a durable outbox delivered with retries."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import Any

from adapters.config.apps import YamlAppRepository
from application.mail.ports import MAIL_ACTIONS
from domain.app import DatabaseSettings
from domain.durations import parse_duration
from domain.errors import ConfigError
from entrypoints.paths import Paths
from entrypoints.wiring.mail_runtime import MailApp
from entrypoints.wiring.mail_settings import mail_config
from entrypoints.wiring.service import Service, service_args, service_main
from entrypoints.wiring.transports import configure_database

from .container import SmtpService

log = logging.getLogger("sogoms.smtp")


def parser() -> argparse.ArgumentParser:
    p = service_args("smtp", "SOGOMS mail service")
    env = os.environ.get
    p.add_argument(
        "--db",
        choices=("inproc", "ipc"),
        default=env("SOGOMS_SMTP_DB", "inproc"),
        help="app databases in-process (default) or through sogoms-db",
    )
    p.add_argument(
        "--logs",
        choices=("inproc", "ipc"),
        default=env("SOGOMS_SMTP_LOGS", "inproc"),
        help="log files written here (default) or through sogoms-logs",
    )
    p.add_argument("--poll", default="1s", help="how often to look for mail queued elsewhere (default 1s)")
    p.add_argument("--max-attempts", type=int, default=12, help="attempts before a message fails (default 12)")
    p.add_argument("--retry-base", default="30s", help="delay after the first temporary failure (default 30s)")
    p.add_argument("--retry-max", default="1h", help="longest delay between attempts (default 1h)")
    p.add_argument("--lease", default="2m", help="how long a message may stay `sending` before it is retried")
    p.add_argument("--keep", default="30d", help="how long sent and failed messages stay in the outbox")
    p.add_argument(
        "--ca-file",
        default=env("SOGOMS_SMTP_CA_FILE") or None,
        help="PEM file of CAs to trust for a private relay (default: the system's)",
    )
    return p


def settings_from(args: argparse.Namespace, paths: Paths) -> dict[str, Any]:
    try:
        mail = mail_config(
            secrets=str(paths.secrets),
            ca_file=args.ca_file,
            max_attempts=args.max_attempts,
            retry_base=parse_duration(args.retry_base),
            retry_cap=parse_duration(args.retry_max),
            lease=parse_duration(args.lease),
            poll=parse_duration(args.poll),
            keep=parse_duration(args.keep),
        )
    except ValueError as exc:
        raise ConfigError(f"bad option: {exc}") from None
    return {
        "db": args.db,
        "logs": args.logs,
        "paths": {"secrets": str(paths.secrets), "logs": str(paths.logs)},
        "sockets": {"db": str(paths.socket("db")), "logs": str(paths.socket("logs"))},
        "mail": mail,
    }


def read_apps(repo: YamlAppRepository) -> tuple[list[MailApp], dict[str, DatabaseSettings]]:
    apps: list[MailApp] = []
    databases: dict[str, DatabaseSettings] = {}
    for folder in repo.app_dirs():
        settings = repo.load_settings(folder)
        apps.append(MailApp(settings.app, folder, settings.smtp))
        databases[settings.app] = settings.database
    return apps, databases


def build(args: argparse.Namespace, paths: Paths) -> Service:
    repo = YamlAppRepository(paths.config, paths.secrets)
    container = SmtpService()
    container.config.from_dict(settings_from(args, paths))
    apps, databases = read_apps(repo)
    container.database_settings.override(databases)
    container.mail.policy()  # a bad retry option stops here, not at the first failure
    runtime = container.mail.runtime()
    runtime.configure(apps)
    database = container.database()

    async def reload() -> None:
        new_apps, new_databases = await asyncio.to_thread(read_apps, repo)
        await configure_database(database, new_databases)
        runtime.configure(new_apps)
        log.info("sogoms-smtp: configuration and templates reloaded")

    return Service(
        "smtp",
        container.mail.service(),
        MAIL_ACTIONS,
        start=runtime.start,
        reload=reload,
        stop=[runtime.stop],
        closing=[database, container.logs()],
    )


def main(argv: list[str] | None = None) -> int:
    return service_main(parser(), "smtp", build, argv)


if __name__ == "__main__":
    sys.exit(main())
