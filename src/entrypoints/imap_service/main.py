"""`sogoms-imap`: list, fetch, delete, mark_read, move, folders, poll, health; watches every app's mailboxes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

from adapters.clock import AsyncioPause, SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.imap.session import AioImapConnector
from adapters.ipc.client import IpcClient
from adapters.ipc.mailproc import IpcMailProcessing
from adapters.mime.parser import parse_message
from application.inbound.imap_service import IMAP_ACTIONS, ImapService, Mailboxes
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

log = logging.getLogger("sogoms.imap")


def load(repo: YamlAppRepository, paths: Paths) -> Mailboxes:
    """Every app's `imap:` mailboxes. Password files are read at each login: a missing one is that mailbox's
    error (in `health` and the log, naming the file), retried with backoff, and does not stop the others."""
    found: Mailboxes = {}
    for folder in repo.app_dirs():
        settings = repo.load_settings(folder)
        if settings.imap:
            found[settings.app] = dict(settings.imap)
    return found


def build(args: argparse.Namespace, paths: Paths) -> Service:
    repo = YamlAppRepository(paths.config, paths.secrets)
    mailboxes = load(repo, paths)
    processing = IpcMailProcessing(IpcClient(path=paths.socket("mailproc"), service="sogoms-mailproc", timeout=30.0))
    service = ImapService(
        AioImapConnector(paths.secrets, args.ca_file), processing, parse_message, SystemClock(), AsyncioPause()
    )
    service.configure(mailboxes)

    async def start() -> None:
        if not args.no_watch:
            service.start()
        log.info("sogoms-imap: watching %d mailbox(es)", sum(len(b) for b in mailboxes.values()))

    async def reload() -> None:
        new = await asyncio.to_thread(load, repo, paths)
        service.configure(new)
        log.info("sogoms-imap: %d mailbox(es) reloaded", sum(len(b) for b in new.values()))

    return Service("imap", service, IMAP_ACTIONS, start=start, reload=reload, stop=[service.stop], closing=[processing])


def main(argv: list[str] | None = None) -> int:
    parser = service_args("imap", "SOGOMS inbound mail reader")
    parser.add_argument(
        "--ca-file",
        default=os.environ.get("SOGOMS_IMAP_CA_FILE") or None,
        help="PEM file of CAs to trust for a private IMAP server (default: the system's)",
    )
    parser.add_argument("--no-watch", action="store_true", help="serve the actions only; do not watch mailboxes")
    return service_main(parser, "imap", build, argv)


if __name__ == "__main__":
    sys.exit(main())
