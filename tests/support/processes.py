"""Start the platform's binaries as real processes for a test, and stop them for sure."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def exit_report(proc: subprocess.Popen[bytes]) -> str:
    """The exit code and the end of the process's output (started by `start`), for a failure message."""
    log = getattr(proc, "log_path", None)
    tail = ""
    if log is not None:
        with contextlib.suppress(OSError):
            tail = "\n" + "\n".join(Path(log).read_text(errors="replace").splitlines()[-25:])
    command = proc.args if isinstance(proc.args, str | bytes | os.PathLike) else proc.args[0]
    return f"{os.fsdecode(command)} exited with {proc.returncode}{tail}"


def wait_for_socket(path: Path, timeout: float = 10.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{exit_report(proc)}\n(before {path} appeared)")
        if path.exists():
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(str(path))
                return
            except OSError:
                pass
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not appear within {timeout}s")


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{exit_report(proc)}\n(before port {port} opened)")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"port {port} did not open within {timeout}s")


def start(binary: str, *args: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start one of the console scripts of this venv, its output to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    out = open(log, "ab")  # noqa: SIM115 - owned by the process for its lifetime
    proc = subprocess.Popen(
        [str(BIN / binary), *args], env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc.log_path = log  # type: ignore[attr-defined]  # read by exit_report
    return proc


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int | None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
    return proc.returncode
