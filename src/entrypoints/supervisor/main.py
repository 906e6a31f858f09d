"""`sogoctl`: run the platform (no subcommand, or `run`), or ask the running supervisor (status, reload...)."""

from __future__ import annotations

import argparse
import os
import sys

from entrypoints.paths import Paths


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sogoctl",
        description="SOGOMS supervisor: starts every service in dependency order and keeps them alive.",
    )
    p.add_argument("--config", "-config", default=None, help="config folder (default $SOGOMS_CONFIG_DIR or ./config)")
    p.add_argument("--file", "-f", default=None, help="supervisor file (default CONFIG/sogoctl.yaml)")
    p.add_argument("--log-level", default=os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="start and supervise every service (the default)")
    status = sub.add_parser("status", help="every service: state, pid, uptime, restarts, health")
    status.add_argument("--json", action="store_true", help="the full status as JSON")
    reload = sub.add_parser("reload", help="SIGHUP a service (every service when none is named)")
    reload.add_argument("service", nargs="?", default="")
    restart = sub.add_parser("restart", help="stop a service (draining) and start it again")
    restart.add_argument("service")
    sub.add_parser("stop", help="stop every service in reverse order, then the supervisor")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    paths = Paths.from_env(args.config)
    if args.command in (None, "run"):
        from .run import run_supervisor

        return run_supervisor(paths, args.file, args.log_level)
    from .client import client_command

    return client_command(
        paths.socket("sogoctl"), args.command, getattr(args, "service", ""), getattr(args, "json", False)
    )


if __name__ == "__main__":
    sys.exit(main())
