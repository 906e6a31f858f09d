"""`python -m deploy.cluster up|down|status|kill|start` (`make cluster-up`, `make cluster-down`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .galera import ClusterError, missing_tools
from .nginx import nginx_binary
from .procs import alive
from .topology import Cluster


def up(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if (root / "state.json").exists():
        running = Cluster.load(root)
        if any(n.running for n in running.galera.nodes) or any(alive(h.pid) for h in running.hosts):
            print(f"cluster: already up in {root} (make cluster-down first)", file=sys.stderr)
            return 1
    missing = missing_tools() + ([] if nginx_binary() else ["nginx-light"])
    if missing:
        print(f"cluster: missing {', '.join(missing)}: apt-get install -y {' '.join(missing)}", file=sys.stderr)
        return 2
    cluster = Cluster(root, workers=args.workers, http_port=args.port, admin_port=args.admin_port)
    started = time.monotonic()
    try:
        cluster.up(say=lambda text: print(f"cluster: {text}", flush=True))
    except (ClusterError, RuntimeError) as exc:
        print(f"cluster: {exc}\ncluster: stopping what was started", file=sys.stderr)
        cluster.down(remove=False)
        return 1
    a, b = cluster.hosts
    print(
        f"cluster: up in {time.monotonic() - started:.1f} s\n"
        f"  galera : {cluster.node_list()}\n"
        f"  host a : gateway 127.0.0.1:{a.gateway_port}, admin 127.0.0.1:{a.admin_port}, node1 first ({a.root})\n"
        f"  host b : gateway 127.0.0.1:{b.gateway_port}, admin 127.0.0.1:{b.admin_port}, node2 first ({b.root})\n"
        f"  nginx  : API {cluster.url('/api')} (Host: prokov.localhost), admin {cluster.admin_url('/admin/')}"
        f" (admin / {cluster.admin_password})\n"
        f"  mail   : {a.log_dir / 'mail'}\n"
        f"  try    : curl -H 'Host: prokov.localhost' {cluster.url('/api/auth/login')} "
        """-d '{"email":"ana@prokov.test","password":"demo1234"}'\n"""
        f"  kill   : python -m deploy.cluster kill node1   (then: start node1)\n"
        f"  stop   : make cluster-down"
    )
    return 0


def down(args: argparse.Namespace) -> int:
    root = Path(args.dir)
    if not (root / "state.json").exists():
        print(f"cluster: nothing in {root}")
        return 0
    Cluster.load(root).down(remove=True)
    print(f"cluster: stopped, {root} removed")
    return 0


def status(args: argparse.Namespace) -> int:
    cluster = Cluster.load(Path(args.dir))
    for node in cluster.galera.nodes:
        s = node.status()
        state = f"{s.get('wsrep_local_state_comment')} (cluster of {s.get('wsrep_cluster_size')})" if s else "down"
        print(f"{node.name}  127.0.0.1:{node.ports.sql}  {state}")
    for host in cluster.hosts:
        print(f"host {host.name}:\n{host.sogoctl('status').stdout.rstrip()}")
    print(f"nginx {'running' if alive(cluster.nginx.pid) else 'down'}: {cluster.url()}")
    return 0


def kill_or_start(args: argparse.Namespace) -> int:
    cluster = Cluster.load(Path(args.dir))
    node = cluster.galera.node(args.node)
    if args.cmd == "kill":
        node.kill()
        print(f"{node.name}: killed (-9)")
    else:
        node.start()
        print(f"{node.name}: synced again in {node.wait_synced():.1f} s")
    cluster.save()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    parser.add_argument("--dir", default="var/cluster", help="where everything lives (default var/cluster)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("up", help="start 3 Galera nodes, two sogoctl hosts and nginx")
    p.add_argument("--port", type=int, help="nginx's API port (default: a free one)")
    p.add_argument("--admin-port", type=int, help="nginx's admin port (default: a free one)")
    p.add_argument("--workers", type=int, default=1, help="gateway workers per host (default 1)")
    p.set_defaults(run=up)
    sub.add_parser("down", help="stop everything and remove the folder").set_defaults(run=down)
    sub.add_parser("status", help="nodes, hosts and nginx").set_defaults(run=status)
    for name in ("kill", "start"):
        k = sub.add_parser(name, help=f"{name} one Galera node ({'kill -9' if name == 'kill' else 'it rejoins'})")
        k.add_argument("node", choices=["node1", "node2", "node3"])
        k.set_defaults(run=kill_or_start)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
