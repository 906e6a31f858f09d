"""A gateway host: one `sogoctl` with its own run, log, data and secrets folders, pointed at one Galera node.

Every host runs the same config folder and the same secrets (as an operator would copy them to each machine);
what differs is only where it listens and which node it talks to first (the others are its failover list).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .procs import alive, spawn, tail, terminate, wait_until

BIN = Path(sys.executable).parent
APPS = ("prokov", "koprogo")
ADMIN_DATABASE = "sogoms_admin"


def database_url(name: str, node: int, failover: list[int]) -> str:
    """The URL of database `name` on the node at `node`, with the other nodes as failover."""
    url = f"mysql+asyncmy://root@127.0.0.1:{node}/{name}"
    return url + ("?failover=" + ",".join(f"127.0.0.1:{p}" for p in failover) if failover else "")


@dataclass
class Host:
    name: str
    root: Path
    config: Path
    gateway_port: int
    admin_port: int
    node: int  # SQL port of its Galera node
    failover: list[int]
    smtp_port: int
    mailcatcher: bool = False
    workers: int = 1
    pid: int | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.gateway_port}{path}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOGOMS_", "SOGOWAY_"))}
        env.update(
            {
                "SOGOMS_CONFIG_DIR": str(self.config),
                "SOGOMS_RUN_DIR": str(self.run_dir),
                "SOGOMS_LOG_DIR": str(self.log_dir),
                "SOGOMS_SECRETS_DIR": str(self.root / "secrets"),
                "SOGOMS_DATA_DIR": str(self.root / "data"),
                "SOGOWAY_PORT": str(self.gateway_port),
                "SOGOWAY_WORKERS": str(self.workers),
                "SOGOMS_ADMIN_PORT": str(self.admin_port),
                "SOGOMS_ADMIN_SECURE_COOKIE": "false",
                "SOGOMS_ADMIN_STATE_DB": database_url(ADMIN_DATABASE, self.node, self.failover),
                "SOGOMS_MAILCATCHER": "true" if self.mailcatcher else "false",
                "SOGOMS_MAILCATCHER_PORT": str(self.smtp_port),
            }
        )
        for app in APPS:
            env[f"{app.upper()}_DATABASE_URL"] = database_url(app, self.node, self.failover)
            env[f"{app.upper()}_SMTP_PORT"] = str(self.smtp_port)
        env.update(self.extra_env)
        return env

    def prepare(self, secrets: Path) -> None:
        """Its folders, and a copy of the cluster's secrets (the same JWT and session keys on every host)."""
        for sub in ("run", "log", "data"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.root / "secrets", ignore_errors=True)
        shutil.copytree(secrets, self.root / "secrets")

    def start(self) -> None:
        if alive(self.pid):
            return
        self.pid = spawn([str(BIN / "sogoctl"), "--config", str(self.config)], self.env(), self.log_dir / "sogoctl.out")

    def ready(self) -> bool:
        if not alive(self.pid):
            raise RuntimeError(f"host {self.name}: sogoctl exited:\n{tail(self.log_dir / 'sogoctl.out')}")
        return self.sogoctl("status").returncode == 0 and all(
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
            for port in (self.gateway_port, self.admin_port)
        )

    def wait_ready(self, timeout: float = 240) -> float:
        started = time.monotonic()
        if not wait_until(self._ready_quietly, timeout, every=0.3):
            status = self.sogoctl("status").stdout
            raise RuntimeError(f"host {self.name} not ready within {timeout:.0f} s:\n{status}")
        return time.monotonic() - started

    def _ready_quietly(self) -> bool:
        try:
            return self.ready()
        except httpx.HTTPError:
            return False

    def sogoctl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BIN / "sogoctl"), "--config", str(self.config), *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    def stop(self) -> None:
        terminate(self.pid, timeout=60)
