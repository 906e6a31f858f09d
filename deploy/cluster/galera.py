"""MariaDB Galera nodes as processes of their own: throw-away datadirs, sockets and loopback ports.

The same `mariadbd` as the system server, with Debian's `galera-4` provider; each node reads only the option file
written here (`--defaults-file`), so no system configuration is read or touched. The first node bootstraps the
cluster and the others join it by state transfer (rsync); a node killed -9 recovers its position from InnoDB and
rejoins by incremental transfer (IST) from the others' write-set cache.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from .procs import alive, free_port, kill, spawn, tail, terminate, wait_until

HERE = Path(__file__).resolve().parent
PROVIDERS = ("/usr/lib/galera/libgalera_smm.so", "/usr/lib/libgalera_smm.so", "/usr/lib64/galera-4/libgalera_smm.so")


class ClusterError(RuntimeError):
    """The cluster could not be brought to the state asked for (the message says why, with the node's log)."""


def provider() -> str | None:
    return next((p for p in PROVIDERS if Path(p).exists()), None)


def mariadbd() -> str | None:
    return shutil.which("mariadbd") or next((p for p in ("/usr/sbin/mariadbd",) if Path(p).exists()), None)


def missing_tools() -> list[str]:
    """What this machine lacks to run the cluster (Debian packages named)."""
    missing = []
    if mariadbd() is None or shutil.which("mariadb-install-db") is None:
        missing.append("mariadb-server")
    if provider() is None:
        missing.append("galera-4")
    if shutil.which("rsync") is None:
        missing.append("rsync")
    return missing


@dataclass
class NodePorts:
    sql: int
    gcomm: int
    ist: int
    sst: int

    @classmethod
    def free(cls) -> NodePorts:
        return cls(free_port(), free_port(), free_port(), free_port())


class GaleraNode:
    """One node: its option file, datadir and process."""

    def __init__(self, name: str, root: Path, ports: NodePorts, peers: list[int], cluster_name: str) -> None:
        self.name, self.root, self.ports, self.peers, self.cluster_name = name, root, ports, peers, cluster_name
        self.pid: int | None = None

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def socket(self) -> Path:
        return self.root / "mysqld.sock"

    @property
    def cnf(self) -> Path:
        return self.root / "node.cnf"

    @property
    def errlog(self) -> Path:
        return self.root / "error.log"

    def write_config(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        text = Template((HERE / "galera.cnf.in").read_text()).substitute(
            datadir=self.datadir,
            socket=self.socket,
            pidfile=self.root / "mysqld.pid",
            errlog=self.errlog,
            sql_port=self.ports.sql,
            user_line="user = root" if os.geteuid() == 0 else "",
            provider=provider() or "none",
            cluster_name=self.cluster_name,
            peers=",".join(f"127.0.0.1:{p}" for p in self.peers),
            name=self.name,
            gcomm_port=self.ports.gcomm,
            ist_port=self.ports.ist,
            sst_port=self.ports.sst,
        )
        self.cnf.write_text(text)

    def initialize(self) -> None:
        """A fresh system datadir (the bootstrap node only: the others receive theirs by state transfer)."""
        out = subprocess.run(
            [
                "mariadb-install-db",
                f"--defaults-file={self.cnf}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--wsrep-on=OFF",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise ClusterError(f"{self.name}: mariadb-install-db failed:\n{out.stdout}\n{out.stderr}")

    def _for_rsync(self) -> None:
        # as root, the SST's rsync daemon writes as `nobody`: it must own the joiner's datadir
        self.datadir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "nobody:nogroup", str(self.datadir)], check=False, capture_output=True)

    def recovered_position(self) -> str | None:
        """After a crash (grastate seqno -1): the last committed position InnoDB knows, as uuid:seqno."""
        state = self.datadir / "grastate.dat"
        if not state.exists() or "seqno:   -1" not in state.read_text():
            return None
        log = self.root / "recover.log"
        subprocess.run(
            [mariadbd() or "mariadbd", f"--defaults-file={self.cnf}", "--wsrep-recover", f"--log-error={log}"],
            capture_output=True,
            check=False,
            timeout=120,
        )
        found = re.findall(r"Recovered position: ([0-9a-f-]+:-?\d+)", log.read_text(errors="replace"))
        return found[-1] if found else None

    def start(self, bootstrap: bool = False) -> None:
        if self.running:
            return
        self._for_rsync()
        args = [mariadbd() or "mariadbd", f"--defaults-file={self.cnf}"]
        if bootstrap:
            args.append("--wsrep-new-cluster")
        else:
            position = self.recovered_position()
            if position:
                args.append(f"--wsrep-start-position={position}")
        self.pid = spawn(args, dict(os.environ), self.root / "mariadbd.out")

    @property
    def running(self) -> bool:
        if not alive(self.pid):
            self.pid = self._pid_from_file()
        return alive(self.pid)

    def _pid_from_file(self) -> int | None:
        """The pid in the node's pid file, if that process is this node's mariadbd (started by someone else)."""
        try:
            pid = int((self.root / "mysqld.pid").read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if str(self.cnf).encode() in cmdline else None

    def sql(self, statement: str, database: str = "", timeout: float = 30) -> list[list[str]]:
        """Run SQL as root over the node's socket; rows of text (ClusterError when it fails)."""
        out = subprocess.run(
            ["mariadb", "--no-defaults", f"--socket={self.socket}", "-uroot", "-N", "-B", "-e", statement]
            + ([database] if database else []),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if out.returncode != 0:
            raise ClusterError(f"{self.name}: {out.stderr.strip()}")
        return [line.split("\t") for line in out.stdout.splitlines()]

    def status(self) -> dict[str, str]:
        """The node's wsrep status (state, cluster size, ready), empty when it does not answer."""
        try:
            rows = self.sql(
                "SHOW GLOBAL STATUS WHERE Variable_name IN "
                "('wsrep_local_state_comment', 'wsrep_cluster_size', 'wsrep_ready', 'wsrep_cluster_status', "
                "'wsrep_last_committed')",
                timeout=5,
            )
        except (ClusterError, subprocess.TimeoutExpired):
            return {}
        return {r[0]: r[1] for r in rows if len(r) == 2}

    def synced(self) -> bool:
        s = self.status()
        return s.get("wsrep_local_state_comment") == "Synced" and s.get("wsrep_ready") == "ON"

    def wait_synced(self, timeout: float = 120) -> float:
        """Seconds until the node is Synced and ready; ClusterError (with its log) if it dies or takes longer."""
        started = time.monotonic()

        def ready() -> bool:
            if not self.running:
                raise ClusterError(f"{self.name} exited while starting:\n{tail(self.errlog)}")
            return self.synced()

        if not wait_until(ready, timeout, every=0.2):
            raise ClusterError(f"{self.name} not synced within {timeout:.0f} s:\n{tail(self.errlog)}")
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush (what a power cut or an OOM kill does)."""
        if not self.running:
            return
        kill(self.pid)
        wait_until(lambda: not self.running, 10)

    def stop(self) -> None:
        if self.running:
            terminate(self.pid, timeout=60)


class GaleraCluster:
    """Three (or `size`) nodes on loopback under `root`, named node1..nodeN."""

    def __init__(self, root: Path, size: int = 3, name: str = "sogoms", ports: list[NodePorts] | None = None) -> None:
        self.root = root
        ports = ports or [NodePorts.free() for _ in range(size)]
        peers = [p.gcomm for p in ports]
        self.nodes = [GaleraNode(f"node{i + 1}", root / f"node{i + 1}", p, peers, name) for i, p in enumerate(ports)]

    def up(self) -> dict[str, float]:
        """Bootstrap node1, then join the others one by one; seconds each took to be Synced."""
        if missing := missing_tools():
            raise ClusterError(
                f"missing on this machine: {', '.join(missing)} (apt-get install -y {' '.join(missing)})"
            )
        took: dict[str, float] = {}
        first = self.nodes[0]
        for node in self.nodes:
            node.write_config()
        if not (first.datadir / "mysql").exists():
            first.initialize()
        first.start(bootstrap=True)
        took[first.name] = first.wait_synced()
        for node in self.nodes[1:]:
            node.start()
            took[node.name] = node.wait_synced()
        return took

    def node(self, name: str) -> GaleraNode:
        return next(n for n in self.nodes if n.name == name)

    def size(self) -> int:
        for node in self.nodes:
            if node.running:
                value = node.status().get("wsrep_cluster_size")
                if value:
                    return int(value)
        return 0

    def down(self) -> None:
        # the last node to stop is the one that may bootstrap again: stop in reverse order
        for node in reversed(self.nodes):
            node.stop()
