"""sogoctl as a real process on a test platform: start it, ask it, signal it, and make sure nothing outlives it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from adapters.ipc.client import IpcClient
from adapters.process.config_file import load_supervisor_config
from tests.support.platform import ROOT, Platform, build_platform
from tests.support.processes import BIN, free_port, start

# fast enough for tests; the services themselves are the shipped ones
TEST_POLICY = {
    "health_interval": "0.5s",
    "health_timeout": "2s",
    "restart_delay": "0.2s",
    "max_delay": "2s",
    "max_restarts": 3,
    "restart_window": "1m",
    "stop_timeout": "15s",
}


def shipped(env: dict[str, str] | None = None) -> list[str]:
    """The services the shipped sogoctl.yaml runs, in start order (what these tests expect to see running)."""
    return load_supervisor_config(ROOT / "config" / "sogoctl.yaml", env or {}).start_order()


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (from /proc), zombies left out."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"{what} not reached within {timeout} s")


class Sogoctl:
    """One `sogoctl` process on `platform`, with the gateway on its own free port."""

    def __init__(self, platform: Platform, env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.platform = platform
        self.port = free_port()
        mail = str(free_port())  # the development mail catcher, and the demo apps' SMTP port
        self.env = {
            **platform.env,
            "SOGOMS_MAILCATCHER_PORT": mail,
            "SOGOMS_DEVMAILBOX_PORT": str(free_port()),
            "PROKOV_SMTP_PORT": mail,
            "KOPROGO_SMTP_PORT": mail,
            "SOGOWAY_PORT": str(self.port),
            "SOGOMS_ADMIN_PORT": str(free_port()),
            "SOGOWAY_WORKERS": "2",
            "SOGOMS_LOG_LEVEL": "INFO",
            **(env or {}),
        }
        self.cwd = cwd
        self.out = platform.root / "sogoctl.out"
        self.proc: subprocess.Popen[bytes] | None = None
        self.seen: set[int] = set()  # every process ever seen below sogoctl, killed at teardown if still there

    @property
    def socket(self) -> Path:
        return Path(self.env["SOGOMS_RUN_DIR"]) / "sogoctl.sock"

    def start(self, *args: str) -> Sogoctl:
        if self.cwd is None:
            self.proc = start("sogoctl", *args, env=self.env, log=self.out)
        else:
            out = open(self.out, "ab")  # noqa: SIM115 - owned by the process
            self.proc = subprocess.Popen(
                [str(BIN / "sogoctl"), *args],
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def process(self) -> subprocess.Popen[bytes]:
        """The sogoctl process (once started)."""
        assert self.proc is not None, "sogoctl was not started"
        return self.proc

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.out.read_text(errors="replace") if self.out.exists() else ""

    def call(self, action: str, params: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
        async def go() -> Any:
            client = IpcClient(self.socket, service="sogoctl", pool_size=1, timeout=timeout, connect_wait=0.2)
            try:
                return await client.call(action, params or {})
            finally:
                await client.close()

        return asyncio.run(go())

    def status(self) -> dict[str, dict[str, Any]]:
        return {s["name"]: s for s in self.call("status")["services"]}

    def cli(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "sogoctl"), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def wait_healthy(self, timeout: float = 60.0) -> dict[str, dict[str, Any]]:
        def healthy() -> dict[str, dict[str, Any]] | None:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"sogoctl exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            if not self.socket.exists():
                return None
            try:
                status = self.status()
            except Exception:  # noqa: BLE001 - not answering yet
                return None
            self.remember()
            return status if all(s["state"] == "RUNNING" for s in status.values()) else None

        try:
            return wait_until(healthy, timeout, "every service RUNNING")
        except AssertionError as exc:
            try:
                states: dict[str, Any] = {n: (s["state"], s["reason"]) for n, s in self.status().items()}
            except Exception as err:  # noqa: BLE001 - reporting only
                states = {"status": repr(err)}
            raise AssertionError(f"{exc}: {states}\n{self.output()[-3000:]}") from None

    def remember(self) -> set[int]:
        found = descendants(self.pid)
        self.seen |= found
        return found

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str, host: str = "prokov.localhost", **kw: Any) -> httpx.Response:
        return httpx.get(self.url(path), headers={"Host": host, **kw.pop("headers", {})}, timeout=10, **kw)

    def stop(self) -> None:
        """SIGTERM and wait; then make sure nothing it started is left (SIGKILL and fail loudly if so)."""
        if self.proc is not None and self.proc.poll() is None:
            self.remember()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        leftovers = wait_for_exit(self.seen, 20)
        what = describe(leftovers)
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not leftovers, f"processes outlived sogoctl: {what}"


def describe(pids: set[int]) -> list[str]:
    """Each pid with its command line (what a leftover process is, for a failure message)."""
    out = []
    for pid in sorted(pids):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            cmd = "?"
        out.append(f"{pid}: {cmd}")
    return out


def wait_for_exit(pids: set[int], timeout: float) -> set[int]:
    deadline = time.monotonic() + timeout
    left = {p for p in pids if alive(p)}
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {p for p in left if alive(p)}
    return left


def supervisor_file(platform: Platform, extra: dict[str, Any] | None = None, **policy: Any) -> Path:
    """The shipped sogoctl.yaml with the test policy (and `extra` services) in the platform's config folder."""
    data = yaml.safe_load((ROOT / "config" / "sogoctl.yaml").read_text())
    data["supervisor"].update({**TEST_POLICY, **policy})
    data["services"].update(extra or {})
    path = platform.paths.config / "sogoctl.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture
def sqlite_platform(tmp_path: Path) -> Iterator[Platform]:
    platform = build_platform(tmp_path, "sqlite")
    try:
        yield platform
    finally:
        platform.cleanup()


@pytest.fixture
def sogoctl(sqlite_platform: Platform) -> Iterator[Sogoctl]:
    """sogoctl with the shipped services and a fast test policy, started and healthy."""
    supervisor_file(sqlite_platform)
    ctl = Sogoctl(sqlite_platform).start()
    try:
        ctl.wait_healthy()
        yield ctl
    finally:
        ctl.stop()
