"""`sogoms cron list|trigger|status APP [JOB]`: ask the running sogoms-cron about an app's scheduled jobs."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from adapters.ipc.client import IpcClient
from domain.errors import Timeout, Unavailable
from entrypoints.paths import Paths


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cron", help="scheduled jobs (asks the running sogoms-cron)")
    s = p.add_subparsers(dest="cron_cmd", required=True)
    ls = s.add_parser("list", help="an app's jobs with their next run")
    ls.add_argument("app")
    trigger = s.add_parser("trigger", help="run a job now (one attempt) and show its result")
    trigger.add_argument("app")
    trigger.add_argument("job")
    trigger.add_argument("--no-wait", action="store_true", help="start it and return its run id at once")
    status = s.add_parser("status", help="run history, newest first")
    status.add_argument("app")
    status.add_argument("job", nargs="?", default="")
    status.add_argument("--limit", type=int, default=20)
    for cmd, run in ((ls, list_jobs), (trigger, trigger_job), (status, show_status)):
        cmd.add_argument("--json", action="store_true", help="print the service's answer as JSON")
        cmd.add_argument("--socket", default=None, help="sogoms-cron's socket (default {RUN_DIR}/sogoms-cron.1.sock)")
        cmd.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for an answer")
        cmd.set_defaults(run=run)


def _ask(args: argparse.Namespace, paths: Paths, action: str, params: dict[str, Any]) -> Any:
    path = Path(args.socket) if args.socket else paths.socket("cron")

    async def call() -> Any:
        client = IpcClient(path, service="sogoms-cron", pool_size=1, timeout=args.timeout)
        try:
            return await client.call(action, params)
        finally:
            await client.close()

    try:
        return asyncio.run(call())
    except Timeout:
        raise
    except Unavailable:
        raise Unavailable(f"sogoms-cron is not answering on {path} (is it running?)") from None


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _short(ts: str | None) -> str:
    return (ts or "-").replace("T", " ")


def list_jobs(args: argparse.Namespace, paths: Paths) -> int:
    jobs = _ask(args, paths, "list", {"app_id": args.app})
    if args.json:
        print(json.dumps(jobs, indent=2))
        return 0
    if not jobs:
        print(f"{args.app}: no jobs (no cron.yaml, or it declares none)")
        return 0
    rows = [["JOB", "TYPE", "SCHEDULE", "ENABLED", f"NEXT RUN ({jobs[0]['timezone']})", "NEXT RUN (UTC)", "LAST RUN"]]
    for j in jobs:
        last = j.get("last_run")
        rows.append(
            [
                j["name"],
                j["type"],
                j["schedule"],
                "yes" if j["enabled"] else "no",
                _short(j["next_run"]),
                _short(j["next_run_utc"]),
                f"{last['status']} {_short(last['claimed_at'])}" if last else "-",
            ]
        )
    print(_table(rows))
    return 0


def trigger_job(args: argparse.Namespace, paths: Paths) -> int:
    run = _ask(args, paths, "trigger", {"app_id": args.app, "job": args.job, "wait": not args.no_wait})
    if args.json:
        print(json.dumps(run, indent=2))
    elif run["status"] == "running":
        print(f"run {run['run_id']} of {args.job} started")
    else:
        line = f"run {run['run_id']} of {args.job}: {run['status']} in {run['duration_ms']} ms"
        print(line + (f": {run['error']}" if run.get("error") else ""))
        if run.get("result"):
            print(json.dumps(run["result"]))
    return 0 if run["status"] in ("success", "running") else 1


def show_status(args: argparse.Namespace, paths: Paths) -> int:
    params: dict[str, Any] = {"app_id": args.app, "limit": args.limit}
    if args.job:
        params["job"] = args.job
    answer = _ask(args, paths, "status", params)
    if args.json:
        print(json.dumps(answer, indent=2))
        return 0
    runs = answer["runs"]
    if not runs:
        print(f"{args.app}: no runs yet" + (f" of {args.job}" if args.job else ""))
        return 0
    rows = [["RUN", "JOB", "KIND", "STATUS", "SCHEDULED FOR (UTC)", "STARTED (UTC)", "MS", "TRIES", "ERROR"]]
    for r in runs:
        rows.append(
            [
                str(r["id"]),
                r["job"],
                r["kind"],
                r["status"],
                _short(r["scheduled_for"]),
                _short(r["claimed_at"]),
                str(r["duration_ms"] if r["duration_ms"] is not None else "-"),
                str(r["attempts"]),
                (r["error"] or "")[:80],
            ]
        )
    print(_table(rows))
    return 0
