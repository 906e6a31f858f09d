"""`sogoms-logs`: log_event, log_error, health; retention applied at start and daily."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime

from adapters.logs.retention import keep_retention
from application.ports.logs import LOG_ACTIONS
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

from .container import LogsContainer

log = logging.getLogger("sogoms.logs")


def build(args: argparse.Namespace, paths: Paths) -> Service:
    container = LogsContainer()
    container.config.from_dict(
        {"paths": {"config": paths.config, "secrets": paths.secrets, "logs": paths.logs}, "fsync": args.fsync}
    )
    repo = container.apps()

    def retention() -> dict[str, int]:
        return {d.name: repo.load_settings(d).logs.retention_days for d in repo.app_dirs()}

    days = retention()
    sink = container.sink()
    sink.set_retention(days)

    async def daily_retention() -> None:
        await keep_retention(sink, lambda: datetime.now(UTC))

    async def reload() -> None:
        sink.set_retention(retention())
        log.info("sogoms-logs: retention settings reloaded")

    return Service("logs", sink, LOG_ACTIONS, reload=reload, background=[daily_retention], closing=[sink])


def main(argv: list[str] | None = None) -> int:
    parser = service_args("logs", "SOGOMS log service")
    parser.add_argument("--fsync", action="store_true", help="fsync every entry before acknowledging it")
    return service_main(parser, "logs", build, argv)


if __name__ == "__main__":
    sys.exit(main())
