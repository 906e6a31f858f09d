"""The whole local cluster: 3 Galera nodes, two gateway hosts (host a on node1, host b on node2), nginx in front.

Everything lives under one folder (`var/cluster` for `make cluster-up`, a tmp folder in the tests) and uses free
loopback ports; `state.json` there records ports and pids, so another process can stop it all (`cluster-down`).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

from .galera import GaleraCluster, NodePorts
from .hosts import ADMIN_DATABASE, APPS, BIN, Host
from .nginx import Nginx
from .procs import free_port

REPO = Path(__file__).resolve().parents[2]


class Cluster:
    def __init__(
        self,
        root: Path,
        *,
        smtp_port: int | None = None,
        workers: int = 1,
        http_port: int | None = None,
        admin_port: int | None = None,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.root = root.resolve()
        state = state or {}
        nodes = [NodePorts(**p) for p in state["nodes"]] if state else None
        self.galera = GaleraCluster(self.root / "galera", ports=nodes)
        self.external_smtp = smtp_port is not None or bool(state.get("external_smtp"))
        smtp = state.get("smtp_port") or smtp_port or free_port()
        sql = [n.ports.sql for n in self.galera.nodes]
        self.hosts = [
            Host(
                name,
                self.root / f"host-{name}",
                self.root / "config",
                state.get("hosts", {}).get(name, {}).get("gateway_port") or free_port(),
                state.get("hosts", {}).get(name, {}).get("admin_port") or free_port(),
                node=sql[i],
                failover=[p for p in sql if p != sql[i]],
                smtp_port=smtp,
                mailcatcher=not self.external_smtp and name == "a",
                workers=state.get("workers") or workers,
                pid=state.get("hosts", {}).get(name, {}).get("pid"),
            )
            for i, name in enumerate(("a", "b"))
        ]
        self.nginx = Nginx(
            self.root / "nginx",
            state.get("http_port") or http_port or free_port(),
            state.get("admin_port") or admin_port or free_port(),
        )
        self.nginx.pid = state.get("nginx_pid")
        for node, pid in zip(self.galera.nodes, state.get("node_pids", []), strict=False):
            node.pid = pid

    # ---- the state file ------------------------------------------------------------------------------
    @property
    def state_file(self) -> Path:
        return self.root / "state.json"

    def save(self) -> None:
        state = {
            "nodes": [asdict(n.ports) for n in self.galera.nodes],
            "node_pids": [n.pid for n in self.galera.nodes],
            "hosts": {
                h.name: {"gateway_port": h.gateway_port, "admin_port": h.admin_port, "pid": h.pid} for h in self.hosts
            },
            "http_port": self.nginx.http_port,
            "admin_port": self.nginx.admin_port,
            "nginx_pid": self.nginx.pid,
            "smtp_port": self.hosts[0].smtp_port,
            "external_smtp": self.external_smtp,
            "workers": self.hosts[0].workers,
        }
        self.state_file.write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, root: Path) -> Cluster:
        return cls(root, state=json.loads((root / "state.json").read_text()))

    # ---- up and down ---------------------------------------------------------------------------------
    def up(self, say: Callable[[str], None] = lambda _: None) -> dict[str, float]:
        """Start everything; seconds each step took."""
        took: dict[str, float] = {}
        self.root.mkdir(parents=True, exist_ok=True)
        self.save()
        t = time.monotonic()
        joined = self.galera.up()
        took["galera"] = time.monotonic() - t
        say(f"galera: {len(joined)} nodes synced in {took['galera']:.1f} s ({self.node_list()})")
        self.save()
        t = time.monotonic()
        self._databases()
        self._config()
        self._secrets()
        self._migrate()
        took["prepare"] = time.monotonic() - t
        t = time.monotonic()
        for host in self.hosts:
            host.prepare(self.root / "secrets")
            host.start()
        self.save()
        for host in self.hosts:
            host.wait_ready()
        took["hosts"] = time.monotonic() - t
        say(f"hosts: a and b healthy in {took['hosts']:.1f} s")
        self.nginx.start([h.gateway_port for h in self.hosts], [h.admin_port for h in self.hosts])
        self.save()
        return took

    def down(self, remove: bool = True) -> None:
        self.nginx.stop()
        for host in self.hosts:
            host.stop()
        self.galera.down()
        if remove:
            shutil.rmtree(self.root, ignore_errors=True)

    def node_list(self) -> str:
        return ", ".join(f"{n.name} 127.0.0.1:{n.ports.sql}" for n in self.galera.nodes)

    # ---- preparation -----------------------------------------------------------------------------------
    def _databases(self) -> None:
        names = [*APPS, ADMIN_DATABASE]
        self.galera.nodes[0].sql(
            " ".join(
                f"CREATE DATABASE IF NOT EXISTS `{n}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;" for n in names
            )
        )

    def _config(self) -> None:
        """The repo's config with both demo apps; the gateway and admin trust nginx's X-Forwarded-For."""
        config = self.root / "config"
        shutil.rmtree(config, ignore_errors=True)
        (config / "apps").mkdir(parents=True)
        for item in (REPO / "config").iterdir():
            if item.is_file():
                shutil.copy(item, config / item.name)
        for app in APPS:
            shutil.copytree(REPO / "config" / "apps" / app, config / "apps" / app)
        for name in ("gateway.yaml", "admin.yaml"):
            doc = yaml.safe_load((config / name).read_text())
            doc["trusted_proxies"] = ["127.0.0.1/32"]
            (config / name).write_text(yaml.safe_dump(doc, sort_keys=False))
        # two hosts and three database nodes share this one machine: a slow answer is load, not a dead service
        doc = yaml.safe_load((config / "sogoctl.yaml").read_text())
        doc["supervisor"].update(health_timeout="5s", start_timeout="120s")
        (config / "sogoctl.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))

    def cli(self, *args: str, stdin: str | None = None) -> str:
        """`sogoms ARGS` as host a would run it (its environment: node1 first)."""
        env = self.hosts[0].env() | {"SOGOMS_SECRETS_DIR": str(self.root / "secrets")}
        out = subprocess.run(
            [str(BIN / "sogoms"), "--config", str(self.root / "config"), *args],
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"sogoms {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
        return out.stdout

    def _secrets(self) -> None:
        """One set of secrets for every host: JWT secrets, the admin session key and the admin accounts."""
        from adapters.security.signing import session_key  # the venv's own code writes the key as the admin reads it

        folder = self.root / "secrets"
        folder.mkdir(mode=0o700, exist_ok=True)
        self.cli("secrets", "init", *APPS)
        session_key(folder, "admin_session_secret")
        password_file = self.root / "admin_password"
        if not password_file.exists():
            password = secrets.token_urlsafe(12)
            self.cli("admin-user", "add", "admin", "--role", "super_admin", "--if-missing", stdin=password + "\n")
            password_file.write_text(password)
            os.chmod(password_file, 0o600)

    def _migrate(self) -> None:
        for app in APPS:
            self.cli("schema", "migrate", app, "--apply")

    # ---- handy -------------------------------------------------------------------------------------------
    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.nginx.http_port}{path}"

    def admin_url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.nginx.admin_port}{path}"

    @property
    def admin_password(self) -> str:
        return (self.root / "admin_password").read_text().strip()
