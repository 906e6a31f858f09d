"""The hello-world Litestar app, under the gateway's own server settings (uvicorn, uvloop, httptools, N workers)."""

from __future__ import annotations

import argparse

from litestar import Litestar, get

from entrypoints.server import serve


@get("/")
async def hello() -> dict[str, str]:
    return {"hello": "world"}


def create() -> Litestar:
    return Litestar(route_handlers=[hello], openapi_config=None, debug=False)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, required=True)
    a = ap.parse_args()
    serve(create, host="127.0.0.1", port=a.port, workers=a.workers, name="hello")
