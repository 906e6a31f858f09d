"""nginx (Debian's package) in front of the hosts, with its own prefix, config and port: no system file used."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from .procs import alive, port_open, spawn, tail, terminate, wait_until

HERE = Path(__file__).resolve().parent


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def render(prefix: Path, http_port: int, admin_port: int, gateways: list[int], admins: list[int]) -> str:
    """The nginx.conf balancing `gateways` on `http_port` and `admins` on `admin_port`."""
    values = {
        "user_line": "user root;" if os.geteuid() == 0 else "",
        "prefix": str(prefix),
        "http_port": str(http_port),
        "admin_port": str(admin_port),
        "gateway_servers": "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in gateways),
        "admin_servers": "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in admins),
    }
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], (HERE / "nginx.conf.in").read_text())


class Nginx:
    def __init__(self, prefix: Path, http_port: int, admin_port: int) -> None:
        self.prefix, self.http_port, self.admin_port = prefix, http_port, admin_port
        self.pid: int | None = None

    @property
    def conf(self) -> Path:
        return self.prefix / "nginx.conf"

    def start(self, gateways: list[int], admins: list[int]) -> None:
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed (apt-get install -y nginx-light)")
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.prefix / "tmp" / sub).mkdir(parents=True, exist_ok=True)
        self.conf.write_text(render(self.prefix, self.http_port, self.admin_port, gateways, admins))
        # -e: the error log of the start itself, before the config is read (else /var/log/nginx/error.log)
        cmd = [binary, "-p", str(self.prefix), "-c", str(self.conf), "-e", str(self.prefix / "error.log")]
        check = subprocess.run([*cmd, "-t"], capture_output=True, text=True, check=False)
        if check.returncode != 0:
            raise RuntimeError(f"nginx refused its config:\n{check.stderr}")
        self.pid = spawn(cmd, dict(os.environ), self.prefix / "nginx.out")
        if not wait_until(lambda: not alive(self.pid) or port_open(self.http_port), 10) or not alive(self.pid):
            raise RuntimeError(f"nginx did not start:\n{tail(self.prefix / 'error.log')}")

    def stop(self) -> None:
        terminate(self.pid, timeout=10)
