"""`sogoms-smtp`: send, send_template, send_bulk, status, health; a durable outbox delivered with retries."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from typing import Any

from adapters.config.apps import YamlAppRepository
from adapters.ipc.dispatch import actions_of
from adapters.ipc.server import IpcServer
from application.mail.mailer import MAIL_ACTIONS
from domain.app import DatabaseSettings
from domain.durations import parse_duration
from domain.errors import ConfigError
from entrypoints.paths import Paths
from entrypoints.service import prepare, run, run_service, service_args

from .container import SmtpService, mail_config
from .runtime import MailApp

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


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    paths, socket = prepare(args, "smtp")
    repo = YamlAppRepository(paths.config, paths.secrets)
    container = SmtpService()
    try:
        container.config.from_dict(settings_from(args, paths))
        apps, databases = read_apps(repo)
        container.database_settings.override(databases)
        container.mail.policy()  # a bad retry option stops here, not at the first failure
        runtime = container.mail.runtime()
        runtime.configure(apps)
    except (ConfigError, ValueError) as exc:
        print(f"sogoms-smtp: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    database = container.database()
    logs = container.logs()
    server = IpcServer(socket, actions_of(container.mail.service(), MAIL_ACTIONS), name="sogoms-smtp")

    async def reload() -> None:
        try:
            new_apps, new_databases = await asyncio.to_thread(read_apps, repo)
            configure = getattr(database, "configure", None)
            if configure is not None:
                await configure(new_databases)
            runtime.configure(new_apps)
            log.info("sogoms-smtp: configuration and templates reloaded")
        except ConfigError as exc:
            log.error("sogoms-smtp: reload refused, keeping the previous configuration: %s", exc.message)

    async def stop() -> None:
        await runtime.stop()
        for port in (database, logs):
            close = getattr(port, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    result = close()
                    if asyncio.iscoroutine(result):
                        await result

    async def serve() -> None:
        await runtime.start()
        await run_service(server, on_reload=reload, on_stop=stop)

    return run(serve)


if __name__ == "__main__":
    sys.exit(main())
