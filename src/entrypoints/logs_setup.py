"""The start-up every process shares: private files, and its own log output (stderr, captured by sogoctl).

Set up without importing any server library.
"""

from __future__ import annotations

import logging
import os
import sys

PRIVATE_UMASK = 0o077  # folders 0700, files 0600: data, logs and sockets are the platform's alone


def private_files() -> None:
    """Every file and folder this process (and what it starts) creates from now on is its owner's only: database
    files and their -wal/-shm, daily and rotated logs, the mail catcher's messages... Sockets are opened to their
    group explicitly (0660) by the IPC server."""
    os.umask(PRIVATE_UMASK)


def setup_logging(level: str = "INFO") -> None:
    private_files()
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s",
        stream=sys.stderr,
    )
