"""Processes of the cluster harness: started detached (they outlive `make cluster-up`), stopped by their pid."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    """A loopback port nobody listens on at this moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(cmd: list[str], env: dict[str, str], log: Path) -> int:
    """Start `cmd` in a session of its own (stdin closed, output appended to `log`); its pid."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return proc.pid


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    with contextlib.suppress(ChildProcessError):
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap it if it is our child and has exited
        if done == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


def kill(pid: int | None, sig: int = signal.SIGKILL) -> None:
    """Signal the process group `pid` leads (each spawned process leads its own), or the process alone."""
    if not pid:
        return
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def terminate(pid: int | None, timeout: float = 30.0) -> None:
    """SIGTERM, then SIGKILL past `timeout`; returns once the process is gone."""
    if not alive(pid):
        return
    kill(pid, signal.SIGTERM)
    if not wait_until(lambda: not alive(pid), timeout):
        kill(pid, signal.SIGKILL)
        wait_until(lambda: not alive(pid), 10)


def wait_until(check: Callable[[], bool], timeout: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError):
            if check():
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(every)


def port_open(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"({path} not written)"
