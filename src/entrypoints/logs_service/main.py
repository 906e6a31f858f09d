"""`sogoms-logs`: log_event, log_error, health; retention applied at start and daily."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from adapters.config.apps import YamlAppRepository
from adapters.ipc.dispatch import actions_of
from adapters.ipc.ports import LOG_ACTIONS
from adapters.ipc.server import IpcServer
from adapters.logs.jsonlines import JsonLinesLogSink
from adapters.logs.retention import keep_retention
from domain.errors import ConfigError
from entrypoints.service import prepare, run, run_service, service_args

log = logging.getLogger("sogoms.logs")


def main(argv: list[str] | None = None) -> int:
    parser = service_args("logs", "SOGOMS log service")
    parser.add_argument("--fsync", action="store_true", help="fsync every entry before acknowledging it")
    args = parser.parse_args(argv)
    paths, socket = prepare(args, "logs")
    repo = YamlAppRepository(paths.config, paths.secrets)

    def retention() -> dict[str, int]:
        return {d.name: repo.load_settings(d).logs.retention_days for d in repo.app_dirs()}

    try:
        days = retention()
    except ConfigError as exc:
        print(f"sogoms-logs: {exc.message}", file=sys.stderr)
        return 2
    sink = JsonLinesLogSink(paths.logs, fsync=args.fsync)
    sink.set_retention(days)
    server = IpcServer(socket, actions_of(sink, LOG_ACTIONS), name="sogoms-logs")

    async def daily_retention() -> None:
        await keep_retention(sink, lambda: datetime.now(UTC))

    async def reload() -> None:
        try:
            sink.set_retention(retention())
            log.info("sogoms-logs: retention settings reloaded")
        except ConfigError as exc:
            log.error("sogoms-logs: reload refused: %s", exc.message)

    async def stop() -> None:
        sink.close()

    async def serve() -> None:
        await run_service(server, on_reload=reload, background=[daily_retention], on_stop=stop)

    return run(serve)


if __name__ == "__main__":
    sys.exit(main())
