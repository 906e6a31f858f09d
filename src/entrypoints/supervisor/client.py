"""`sogoctl status|reload|restart|stop`: ask the running supervisor over its control socket."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from adapters.ipc.client import IpcClient
from domain.errors import DomainError, Unavailable

CALL_TIMEOUT = {"status": 10.0, "reload": 30.0, "restart": 180.0, "stop": 10.0}


async def _call(path: Path, action: str, params: dict[str, Any]) -> Any:
    client = IpcClient(path, service="sogoctl", pool_size=1, timeout=CALL_TIMEOUT[action], connect_wait=0.5)
    try:
        return await client.call(action, params)
    finally:
        await client.close()


def call(path: Path, action: str, params: dict[str, Any] | None = None) -> Any:
    return asyncio.run(_call(path, action, params or {}))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    s = int(seconds)
    if s < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"


def _health_column(svc: dict[str, Any]) -> str:
    if svc["state"] in ("FATAL", "BACKOFF") and svc["reason"]:
        extra = f" (next start in {svc['next_start_in']:.1f}s)" if svc.get("next_start_in") is not None else ""
        return svc["reason"] + extra
    if svc["waiting_for"] and svc["pid"] is None:
        return "waiting for " + ", ".join(svc["waiting_for"])
    health = svc.get("health")
    if health is None:
        if svc["pid"] is None:
            return "-"
        return "not checked yet" if svc.get("health_check") else "running (no health check)"
    return str(health["note"])


def status_table(status: dict[str, Any]) -> str:
    services = status["services"]
    healthy = sum(1 for s in services if s["state"] == "RUNNING")
    head = f"sogoctl: up {duration(status['uptime'])}, {healthy} of {len(services)} services healthy"
    if status.get("ready_after") is not None:
        head += f" (start took {status['ready_after']:.2f} s)"
    if status.get("stopping"):
        head += ", stopping"
    rows = [("SERVICE", "STATE", "PID", "UPTIME", "RESTARTS", "HEALTH")]
    for s in services:
        pid = str(s["pid"]) if s["pid"] is not None else "-"
        rows.append((s["name"], s["state"], pid, duration(s["uptime"]), str(s["restarts"]), _health_column(s)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5] for r in rows]
    return "\n".join([head, *lines])


def client_command(path: Path, command: str, service: str = "", as_json: bool = False) -> int:
    try:
        if command == "status":
            status = call(path, "status")
            print(json.dumps(status, indent=2) if as_json else status_table(status))
            return 0 if all(s["state"] == "RUNNING" for s in status["services"]) else 3
        if command == "reload":
            result = call(path, "reload", {"service": service} if service else {})
            failed = False
            for s in result["reloaded"]:
                note = _health_column(s)
                failed = failed or note.startswith("reload failed")
                print(f"{s['name']}: SIGHUP sent to pid {s['pid']}; now {s['state']}, {note}")
            return 1 if failed else 0
        if command == "restart":
            s = call(path, "restart", {"service": service})
            print(f"{s['name']}: {s['state']} (pid {s['pid'] or '-'}, restarts {s['restarts']}): {_health_column(s)}")
            return 0 if s["state"] == "RUNNING" else 1
        if command == "stop":
            result = call(path, "stop")
            print("sogoctl: stopping " + ", ".join(result["order"]), flush=True)
            return _wait_gone(path)
    except Unavailable as exc:
        print(f"sogoctl: no supervisor answers on {path} ({exc.message}); is `sogoctl` running?", file=sys.stderr)
        return 1
    except DomainError as exc:
        print(f"sogoctl: {exc.message}", file=sys.stderr)
        return 1
    raise ValueError(f"unknown command {command!r}")


def _wait_gone(path: Path, timeout: float = 300.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not path.exists():
            print("sogoctl: stopped")
            return 0
        time.sleep(0.1)
    print(f"sogoctl: still running after {timeout:g} s", file=sys.stderr)
    return 1
