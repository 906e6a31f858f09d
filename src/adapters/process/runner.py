"""Start services as child processes: own process group, output to `{LOG_DIR}/{name}.log`, dying with us."""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import time
from pathlib import Path

from domain.errors import Unavailable
from domain.supervision import ServiceSpec

from . import lifecycle

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Orphans of our services (a gateway worker whose master was killed) come to us, to be reaped."""
    if lifecycle._libc is None:
        return False
    return bool(lifecycle._libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)


class PopenProcess:
    """A running service: the leader of its own process group."""

    def __init__(self, name: str, popen: subprocess.Popen[bytes], log_path: Path, runner: SubprocessRunner) -> None:
        self.name = name
        self._popen = popen
        self._log = log_path
        self._runner = runner
        self._done = False

    @property
    def pid(self) -> int:
        return self._popen.pid

    def exit_code(self) -> int | None:
        code = self._popen.poll()
        if code is None:
            return None
        if not self._done:
            self._done = True
            self._runner.forget(self.pid)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)  # whatever it started and left behind dies with it
            _note(self._log, f"{self.name} (pid {self.pid}) exited with code {code}")
        return code

    def terminate(self) -> None:
        self._popen.send_signal(signal.SIGTERM)

    def hangup(self) -> None:
        self._popen.send_signal(signal.SIGHUP)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)


def _note(log: Path, line: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S")
    with contextlib.suppress(OSError), open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{stamp} sogoctl: {line}\n")


class SubprocessRunner:
    """The ProcessRunner port with subprocess.Popen."""

    def __init__(self, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self._log_dir = Path(log_dir)
        self._env = dict(os.environ if env is None else env)
        self._live: dict[int, PopenProcess] = {}

    def start(self, name: str, spec: ServiceSpec) -> PopenProcess:
        if spec.health_socket:
            _remove_stale_socket(Path(spec.health_socket))
        self._log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self._log_dir / f"{name}.log"
        env = {"PYTHONUNBUFFERED": "1", **self._env, **spec.environment}
        argv = [spec.binary, *spec.args]
        _note(log_path, f"starting {name}: {' '.join(argv)}")  # before it runs, so it comes before its output
        try:
            with open(log_path, "ab") as out:
                popen = subprocess.Popen(
                    argv,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    process_group=0,
                    preexec_fn=lifecycle.child_setup(),  # PR_SET_PDEATHSIG must be set in the child
                )
        except OSError as exc:
            _note(log_path, f"cannot start {name}: {exc}")
            raise Unavailable(f"cannot start {spec.binary}: {exc.strerror or exc}") from None
        process = PopenProcess(name, popen, log_path, self)
        self._live[popen.pid] = process
        return process

    def forget(self, pid: int) -> None:
        self._live.pop(pid, None)

    def reap_strays(self) -> None:
        """Reap exited children that are not services (orphans re-parented to us); leave ours to Popen."""
        for _ in range(64):
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid == 0:
                return
            ours = self._live.get(info.si_pid)
            if ours is not None:
                ours.exit_code()
            else:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(info.si_pid, os.WNOHANG)

    def stop_all_now(self) -> None:
        """Last resort on the way out: SIGKILL every service's process group still there."""
        for process in list(self._live.values()):
            process.kill()


def _remove_stale_socket(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(path.lstat().st_mode):
            path.unlink()
