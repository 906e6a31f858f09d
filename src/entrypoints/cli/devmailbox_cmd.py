"""`sogoms devmailbox`: a development IMAP server (Dovecot) holding the apps' local mailboxes (e.g. prokov's tasks@)."""

from __future__ import annotations

import argparse
import hashlib
import os
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from adapters.config.secrets import new_secret, read_secret, secret_path, write_secret
from adapters.imap.dovecot import dovecot_binary, prepare_dovecot
from entrypoints.paths import Paths

from .container import cli_container

LOCAL = ("127.0.0.1", "localhost", "::1")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "devmailbox",
        help="run a development IMAP server (Dovecot) with the mailboxes of app.yaml `imap:` sections on this port",
    )
    p.add_argument("--port", type=int, default=int(os.environ.get("SOGOMS_DEVMAILBOX_PORT", "1143")))
    p.set_defaults(run=run_devmailbox)


def mailbox_users(paths: Paths, port: int) -> dict[str, str]:
    """Login -> password of every app mailbox that points at this local port (password files created if missing)."""
    repo = cli_container(paths).apps()
    users: dict[str, str] = {}
    for folder in repo.app_dirs():
        settings = repo.load_settings(folder)
        for box in settings.imap.values():
            if box.host not in LOCAL or box.effective_port != port or box.tls or not box.password_file:
                continue
            write_secret(secret_path(paths.secrets, box.password_file), new_secret())  # only when missing
            users[box.user] = read_secret(paths.secrets, box.password_file, f"imap {box.user}").decode()
    return users


def mailbox_root(data: Path) -> Path:
    """`{DATA_DIR}/devmailbox`, unless Dovecot's unprivileged account could not reach it (a parent folder closed to
    others, e.g. a 0700 home): then a folder of its own under the system's temporary directory."""
    data.mkdir(parents=True, exist_ok=True)
    folder = data.resolve() / "devmailbox"
    if os.geteuid() != 0 or all(p.stat().st_mode & stat.S_IXOTH for p in folder.parents):
        return folder
    digest = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"sogoms-devmailbox-{digest}"


def run_devmailbox(args: argparse.Namespace, paths: Paths) -> int:
    binary = dovecot_binary()
    users = mailbox_users(paths, args.port)
    if binary is None or not users:
        reason = (
            "Dovecot is not installed (apt-get install dovecot-imapd)"
            if binary is None
            else "no app mailbox uses this port"
        )
        print(
            f"sogoms devmailbox: {reason}; no development mailbox (waiting, so the supervisor leaves it be)",
            file=sys.stderr,
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while True:
            time.sleep(3600)
    instance = prepare_dovecot(args.port, users, mailbox_root(paths.data))
    print(
        f"sogoms devmailbox: IMAP on 127.0.0.1:{args.port} for {', '.join(sorted(users))} (mail under {instance.root}/mail)",
        flush=True,
    )
    command = instance.command(binary)
    os.execvp(command[0], command)  # noqa: S606 - Dovecot replaces this process (sogoctl supervises it)
    return 0  # pragma: no cover - exec does not return
