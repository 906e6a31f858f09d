"""sogoctl run exactly as the container image runs it: the Dockerfile's command and variables, temporary folders
in place of /config, /secrets, /run/sogoms, /var/log/sogoms and /data, the operator's init commands first."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import stat
import subprocess
import tempfile
from pathlib import Path

import httpx

from entrypoints.paths import Paths
from tests.e2e.supervisor.conftest import Sogoctl, shipped, wait_for_exit
from tests.support.platform import ROOT, Platform
from tests.support.processes import BIN, free_port

CONTAINER_PATHS = ("/config", "/secrets", "/run/sogoms", "/var/log/sogoms", "/data")


def dockerfile() -> tuple[dict[str, str], list[str]]:
    """The image's ENV (every ENV instruction, in order) and its command (ENTRYPOINT + CMD)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    entrypoint: list[str] = []
    cmd: list[str] = []
    for line in text.splitlines():
        word, _, rest = line.strip().partition(" ")
        if word == "ENV":
            env.update(dict(item.split("=", 1) for item in shlex.split(rest)))
        elif word == "ENTRYPOINT":
            entrypoint = json.loads(rest)
        elif word == "CMD":
            cmd = json.loads(rest)
    return env, entrypoint + cmd


def test_the_image_command_runs_the_platform_from_its_variables(tmp_path: Path):
    env_image, command = dockerfile()
    assert command == ["sogoctl", "run"]
    # a short root: /run/sogoms/... must stay a valid Unix socket path under pytest's deep tmp folders
    root = Path(tempfile.mkdtemp(prefix="sogoms-", dir="/tmp"))
    try:
        _run_the_image(tmp_path, root, env_image, command)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _run_the_image(tmp_path: Path, root: Path, env_image: dict[str, str], command: list[str]) -> None:
    mapped = {p: root / p.lstrip("/") for p in CONTAINER_PATHS}
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    for key, value in env_image.items():
        env[key] = str(mapped.get(value, value))
    assert {env[k] for k in env if k.startswith("SOGOMS_") and k.endswith("_DIR")} == {str(p) for p in mapped.values()}
    env["SOGOWAY_HOST"] = env["SOGOMS_ADMIN_HOST"] = "127.0.0.1"  # the image listens on 0.0.0.0; tests stay on loopback
    env["SOGOWAY_PORT"], env["SOGOMS_ADMIN_PORT"] = str(free_port()), str(free_port())
    shutil.copytree(ROOT / "config", mapped["/config"])  # COPY config /config
    for p in ("/secrets", "/run/sogoms", "/var/log/sogoms", "/data"):  # RUN mkdir -p ...
        mapped[p].mkdir(parents=True)
    workdir = root / "opt" / "sogoms"
    workdir.mkdir(parents=True)
    # what compose.yaml's sogoms-init does once (the demo apps on SQLite under /data here)
    for args in (
        ["secrets", "init", "prokov", "koprogo"],
        ["schema", "migrate", "prokov", "--apply"],
        ["schema", "migrate", "koprogo", "--apply"],
        ["admin-user", "add", "admin", "--role", "super_admin", "--generate", "--if-missing"],
    ):
        done = subprocess.run(
            [str(BIN / "sogoms"), *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
    paths = Paths(
        mapped["/config"], mapped["/run/sogoms"], mapped["/var/log/sogoms"], mapped["/secrets"], mapped["/data"]
    )
    ctl = Sogoctl(Platform(root, paths, "sqlite"), cwd=workdir)
    ctl.env, ctl.port = env, int(env["SOGOWAY_PORT"])
    ctl.start(*command[1:])
    try:
        status = ctl.wait_healthy()
        expected = shipped(env)
        assert set(status) == set(expected) and "sogoway" in expected
        login = httpx.post(
            ctl.url("/api/auth/login"),
            json={"email": "ana@prokov.test", "password": "demo1234"},
            headers={"Host": "prokov.localhost"},
            timeout=10,
        )
        assert login.status_code == 200, login.text
        # everything where the image's variables say
        assert (mapped["/run/sogoms"] / "sogoctl.sock").exists()
        assert (mapped["/run/sogoms"] / "sogoms-db.1.sock").exists()
        assert (mapped["/data"] / "prokov.db").exists()
        assert (mapped["/var/log/sogoms"] / "sogoway.log").exists()
        assert stat.S_IMODE((mapped["/secrets"] / "prokov_jwt_secret").stat().st_mode) == 0o600
        assert not (workdir / "var").exists()  # nothing fell back to the ./var defaults
        assert f"sogoctl: all {len(expected)} services healthy in" in ctl.output()
        everything = ctl.remember()
        ctl.process.send_signal(signal.SIGTERM)  # docker stop
        assert ctl.process.wait(60) == 0
        assert not wait_for_exit(everything, 10)
    finally:
        ctl.stop()
