"""`sogoms mailcatcher`: a local SMTP server for development that keeps every message under {LOG_DIR}/mail/."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from adapters.smtp.catcher import serve_catcher
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "mailcatcher",
        help="run a development SMTP server that stores each message as {LOG_DIR}/mail/*.eml",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SOGOMS_MAILCATCHER_PORT") or 1025),
        help="port to listen on (default SOGOMS_MAILCATCHER_PORT, else 1025; the demo apps send there)",
    )
    p.set_defaults(run=run_catcher)


def run_catcher(args: argparse.Namespace, paths: Paths) -> int:
    setup_logging(os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    logging.getLogger("mail.log").setLevel(
        logging.WARNING
    )  # aiosmtpd's per-command chatter; one line a message is ours
    folder = paths.logs / "mail"
    folder.mkdir(parents=True, exist_ok=True)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve_catcher(args.host, args.port, folder, stop)

    try:
        asyncio.run(main())
    except OSError as exc:
        print(f"sogoms mailcatcher: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0
