"""The subprocess runner on real processes: output to the service's log, its process group cleaned up after it,
stale sockets removed, and children that die with the supervisor."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from adapters.process.runner import SubprocessRunner
from domain.errors import Unavailable
from domain.supervision import ServiceSpec
from tests.e2e.supervisor.conftest import alive, descendants, wait_for_exit, wait_until


def test_output_goes_to_the_service_log_with_a_line_at_start_and_exit(tmp_path):
    runner = SubprocessRunner(tmp_path / "log", env={"PATH": os.environ["PATH"], "GREETING": "hello"})
    spec = ServiceSpec(
        "/bin/sh", args=("-c", 'echo "$GREETING from $NAME"; echo oops >&2; exit 3'), env={"NAME": "svc"}
    )
    process = runner.start("svc", spec)
    code = wait_until(lambda: process.exit_code(), 10, "the exit")
    assert code == 3
    lines = (tmp_path / "log" / "svc.log").read_text().splitlines()
    assert lines[0].endswith("sogoctl: starting svc: /bin/sh -c " + spec.args[1])
    assert lines[1:3] == ["hello from svc", "oops"]
    assert lines[3].endswith(f"sogoctl: svc (pid {process.pid}) exited with code 3")


def test_what_a_service_started_dies_with_it(tmp_path):
    runner = SubprocessRunner(tmp_path)
    process = runner.start("svc", ServiceSpec("/bin/sh", args=("-c", "sleep 60 & sleep 60 & wait")))
    children = wait_until(lambda: len(d := descendants(process.pid)) == 2 and d, 10, "two children")
    assert os.getpgid(process.pid) == process.pid  # its own process group
    os.kill(process.pid, signal.SIGKILL)
    assert wait_until(lambda: process.exit_code(), 10, "the exit") == -9
    assert not wait_for_exit(children, 10)


def test_a_stale_socket_is_removed_before_the_start(tmp_path):
    path = tmp_path / "svc.sock"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))  # left behind, nobody listening
    runner = SubprocessRunner(tmp_path)
    process = runner.start(
        "svc", ServiceSpec("/bin/sh", args=("-c", f"test -e {path} && exit 1; exit 0"), health_socket=str(path))
    )
    assert wait_until(lambda: process.exit_code() is not None, 10, "the exit") and process.exit_code() == 0


def test_a_binary_that_cannot_run_is_a_clear_error(tmp_path):
    script = tmp_path / "broken"
    script.write_text("#!/nonexistent/interpreter\n")
    script.chmod(0o755)
    runner = SubprocessRunner(tmp_path)
    with pytest.raises(Unavailable, match=f"cannot start {script}: No such file or directory"):
        runner.start("svc", ServiceSpec(str(script)))
    assert "cannot start svc" in (tmp_path / "svc.log").read_text()


def test_children_get_sigterm_when_the_supervisor_is_killed(tmp_path):
    pidfile = tmp_path / "child.pid"
    parent = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from adapters.process.runner import SubprocessRunner
        from domain.supervision import ServiceSpec
        p = SubprocessRunner(Path({str(tmp_path)!r})).start("svc", ServiceSpec("/bin/sleep", args=("60",)))
        Path({str(pidfile)!r}).write_text(str(p.pid))
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", parent], env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        wait_until(pidfile.exists, 20, "the child started")
        child = int(pidfile.read_text())
        assert alive(child)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert not wait_for_exit({child}, 10), "the child outlived its supervisor"
    finally:
        if proc.poll() is None:
            proc.kill()
