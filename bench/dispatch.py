"""In-process cost of one gateway request through the raw ASGI mount, routing and metrics included (no server, no wrk).

`python bench/dispatch.py [--n 5000 --rounds 5]`: one sogoway (in-process transports) on a throw-away platform
(bench/fixture.py, MariaDB), driven straight through ASGI, µs per request for requests that need no database: S0
(`GET /api/_schema/projects` with a token), the OpenAPI document, an OPTIONS, a 404 and a 405: the CPU time of the
process per request, best of the rounds. Steadier than wrk's throughput on a loaded machine, to compare a change
with the code before it (`PYTHONPATH=/path/to/old/src python bench/dispatch.py` runs the old code).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import fixture as bp  # noqa: E402

HOST = (b"host", b"prokov.localhost")


def scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [HOST, *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8080),
    }


async def call(app: Any, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope(method, path, headers), receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def measure(app: Any, n: int, rounds: int) -> dict[str, float]:
    login = json.dumps({"email": "ana@prokov.test", "password": "demo1234"}).encode()
    typed = [(b"content-type", b"application/json")]
    status, body = await call(app, "POST", "/api/auth/login", typed, login)
    assert status == 200, body
    token = json.loads(body)["data"]["token"]
    auth = [(b"authorization", f"Bearer {token}".encode())]
    cases = {
        "S0 GET /api/_schema/projects (token)": ("GET", "/api/_schema/projects", auth, 200),
        "GET /api/_openapi.json": ("GET", "/api/_openapi.json", [], 200),
        "OPTIONS /api/projects/7": ("OPTIONS", "/api/projects/7", [], 204),
        "GET /api/a/b/c (404)": ("GET", "/api/a/b/c", [], 404),
        "POST /api/_schema (405)": ("POST", "/api/_schema", [], 405),
    }
    best: dict[str, float] = {}
    for name, (method, path, headers, expected) in cases.items():
        status, body = await call(app, method, path, headers)
        assert status == expected, (name, status, body[:200])
        for _ in range(rounds):
            started = time.process_time()  # this process's CPU: steadier than wall time on a shared machine
            for _ in range(n):
                await call(app, method, path, headers)
            us = (time.process_time() - started) / n * 1e6
            best[name] = min(best.get(name, us), us)
    return best


async def run(n: int, rounds: int) -> dict[str, float]:
    from entrypoints.gateway.app import create_app
    from entrypoints.paths import Paths
    from entrypoints.wiring.gateway_settings import GatewaySettings, Transports

    app = create_app(Paths.from_env(), GatewaySettings(transport=Transports(db="inproc", logs="inproc")))
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await queue.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()

    lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, queue.get, send))
    await started.wait()
    try:
        return await measure(app, n, rounds)
    finally:
        await queue.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(lifespan, 10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=5000, help="requests per round")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sogoms-dispatch-") as d:
        platform = bp.create(Path(d))
        os.environ.update(platform.env("dispatch"))
        try:
            best = asyncio.run(run(args.n, args.rounds))
        finally:
            bp.drop(platform)
    for name, us in best.items():
        print(f"  {name:<40} {us:7.1f} µs CPU/request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
