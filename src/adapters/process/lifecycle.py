"""No orphans: a child asks the kernel for SIGTERM when its parent dies (Linux PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from collections.abc import Callable

PR_SET_PDEATHSIG = 1

_libc: ctypes.CDLL | None = None
if sys.platform.startswith("linux"):
    try:  # loaded before any fork: the child must not load libraries between fork and exec
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:  # pragma: no cover - no libc (not Linux after all)
        _libc = None


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """In a freshly forked child: get `sig` when the parent (the forking thread) exits.
    If the parent is already gone (it died between fork and here), stop now."""
    if _libc is not None:
        _libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), sig)


def child_setup() -> Callable[[], None]:
    """A `preexec_fn` for subprocess.Popen: the child dies with this process (called in the parent)."""
    parent = os.getpid()

    def setup() -> None:
        die_with_parent(parent)

    return setup
