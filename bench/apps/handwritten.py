"""The hand-written comparison: Litestar + asyncmy + msgspec doing prokov's list and show on the same table.

It does what the gateway does for these two routes and no more: Host check, HS256 JWT verified with PyJWT,
the owner filter from the token, the same SQL, the same envelope. Served by the same server code and settings as
sogoway. Two lists:
- `/api/projects`: the seed's list, 50 rows with `COUNT(*) OVER ()` for `meta.total` (the gateway before issue 14);
- `/lean/api/projects`: what the gateway's default list does now: 51 rows (the 51st says `has_more`), no count,
  `meta.next` an HMAC-signed cursor of the 50th row's sort keys and the same `Link` header.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import asyncmy
import jwt
import msgspec
from litestar import Litestar, Request, Response, get
from sqlalchemy.engine import make_url

from entrypoints.server import serve

LIST = (
    "SELECT id, name, description, position, created_at, COUNT(*) OVER () AS _total FROM projects "
    "WHERE user_id = %s ORDER BY position ASC, id ASC LIMIT 50 OFFSET 0"
)
LEAN = (
    "SELECT id, name, description, position, created_at FROM projects "
    "WHERE user_id = %s ORDER BY position ASC, id ASC LIMIT 51 OFFSET 0"
)
SHOW = "SELECT id, user_id, name, description, position, created_at FROM projects WHERE id = %s AND user_id = %s"
encoder = msgspec.json.Encoder()
SECRET = Path(os.environ["SOGOMS_SECRETS_DIR"], "prokov_jwt_secret").read_bytes().strip()
state: dict[str, Any] = {}
CURSOR_KEY = hmac.new(SECRET, b"sogoms list cursor", hashlib.sha256).digest()
BINDING = repr(("projects", (("position", False), ("id", False)), ())).encode()


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def cursor(row: dict[str, Any]) -> str:
    payload = json.dumps([1, row["position"], row["id"]], separators=(",", ":")).encode()
    mac = hmac.new(CURSOR_KEY, BINDING + b"\x00" + payload, hashlib.sha256).digest()[:16]
    return f"{b64(payload)}.{b64(mac)}"


def fail(status: int, code: str, message: str) -> Response[bytes]:
    body = encoder.encode({"success": False, "error": {"code": code, "message": message}})
    return Response(content=body, status_code=status, media_type="application/json")


def user_id(request: Request[Any, Any, Any]) -> int | None:
    if request.headers.get("host") != "prokov.localhost":
        return None
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["exp", "iat", "sub"]}, leeway=30)
    except jwt.PyJWTError:
        return None
    return int(claims["sub"])


async def fetch(sql: str, args: tuple[Any, ...]) -> list[dict[str, Any]]:
    async with state["pool"].acquire() as conn, conn.cursor(cursor=asyncmy.cursors.DictCursor) as cur:
        await cur.execute(sql, args)
        return list(await cur.fetchall())


@get("/api/projects")
async def list_projects(request: Request[Any, Any, Any]) -> Response[bytes]:
    uid = user_id(request)
    if uid is None:
        return fail(401, "UNAUTHORIZED", "Invalid token")
    rows = await fetch(LIST, (uid,))
    total = int(rows[0]["_total"]) if rows else 0
    for r in rows:
        del r["_total"]
    body = {"success": True, "message": "OK", "data": rows, "meta": {"total": total, "limit": 50, "offset": 0}}
    return Response(content=encoder.encode(body), media_type="application/json")


@get("/lean/api/projects")
async def list_projects_lean(request: Request[Any, Any, Any]) -> Response[bytes]:
    uid = user_id(request)
    if uid is None:
        return fail(401, "UNAUTHORIZED", "Invalid token")
    rows = await fetch(LEAN, (uid,))
    more = len(rows) > 50
    rows = rows[:50]
    nxt = cursor(rows[-1]) if more else None
    meta = {"limit": 50, "offset": 0, "has_more": more, "next": nxt, "prev": None}
    body = {"success": True, "message": "OK", "data": rows, "meta": meta}
    headers = {"Link": f'</api/projects?{urlencode([("after", nxt)])}>; rel="next"'} if nxt else None
    return Response(content=encoder.encode(body), media_type="application/json", headers=headers)


@get("/api/projects/{key:int}")
async def show_project(request: Request[Any, Any, Any], key: int) -> Response[bytes]:
    uid = user_id(request)
    if uid is None:
        return fail(401, "UNAUTHORIZED", "Invalid token")
    rows = await fetch(SHOW, (key, uid))
    if not rows:
        return fail(404, "NOT_FOUND", f"No projects with id {key}")
    return Response(
        content=encoder.encode({"success": True, "message": "OK", "data": rows[0]}), media_type="application/json"
    )


@asynccontextmanager
async def lifespan(_app: Litestar) -> AsyncIterator[None]:
    u = make_url(os.environ["PROKOV_DATABASE_URL"])
    state["pool"] = await asyncmy.create_pool(
        host=u.host,
        port=u.port or 3306,
        user=u.username,
        password=u.password or "",
        db=u.database,
        minsize=1,
        maxsize=10,
        autocommit=True,
    )
    try:
        yield
    finally:
        state["pool"].close()
        await state["pool"].wait_closed()


def create() -> Litestar:
    return Litestar(
        route_handlers=[list_projects, list_projects_lean, show_project],
        lifespan=[lifespan],
        openapi_config=None,
        debug=False,
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--workers", type=int, required=True)
    a = ap.parse_args()
    serve(create, host="127.0.0.1", port=a.port, workers=a.workers, name="handwritten")
