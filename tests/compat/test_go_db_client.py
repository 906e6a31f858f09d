"""This platform's sogoms-db client (IpcDatabase) against a sogoms-db that speaks only the seed's form (issue 13,
item 6): `?` placeholders and `args` as a JSON list, executed as is by the database driver, as the Go service's
database/sql does. A request in any other form (`:name`, `args` as an object) is answered DB_ERROR, as the Go
service would fail on it; so every statement the platform's stores and CRUD send must arrive positional."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from adapters.ipc.client import IpcClient
from adapters.ipc.database import IpcDatabase
from adapters.sql.auth_store import SqlRevocationList
from domain.errors import DomainError


class SeedDb:
    """A seed-shaped sogoms-db on a Unix socket, over SQLite with its native `?` parameters."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, owner INTEGER)")
        self.db.execute(
            "CREATE TABLE sogoms_revoked_tokens (jti TEXT PRIMARY KEY, expires_at INTEGER, revoked_at INTEGER)"
        )
        self.requests: list[dict[str, Any]] = []

    def answer(self, req: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(req)
        p = req.get("params", {})
        args = p.get("args", [])
        outside_strings = re.sub(r"'[^']*'", "''", p.get("query", ""))
        if not isinstance(args, list) or re.search(r"(?<![:\w]):[A-Za-z_]", outside_strings):
            return {"id": req["id"], "status": "error", "error": {"code": "DB_ERROR", "message": "bad params"}}
        try:
            cur = self.db.execute(p["query"], args)
        except sqlite3.Error as exc:
            return {"id": req["id"], "status": "error", "error": {"code": "DB_ERROR", "message": str(exc)}}
        action = req["action"]
        if action in ("query", "query_one"):
            names = [d[0] for d in cur.description or ()]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
            result: Any = rows if action == "query" else (rows[0] if rows else None)
        else:
            result = {"affected_rows": cur.rowcount}
            if action == "insert":
                result["insert_id"] = cur.lastrowid
        return {"id": req["id"], "status": "success", "result": result}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                size = int.from_bytes(await reader.readexactly(4), "big")
                reply = json.dumps(self.answer(json.loads(await reader.readexactly(size)))).encode()
                writer.write(len(reply).to_bytes(4, "big") + reply)
                await writer.drain()
        except asyncio.IncompleteReadError:
            writer.close()


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="sogoms-godb-")) / "sogoms-db.1.sock"


async def test_the_platform_client_speaks_the_seed_form(socket_path: Path) -> None:
    seed = SeedDb(socket_path)
    server = await asyncio.start_unix_server(seed.serve, str(socket_path))
    client = IpcClient(socket_path, service="sogoms-db")
    db = IpcDatabase(client)
    try:
        done = await db.insert(
            "prokov", "INSERT INTO items (name, owner) VALUES (:name, :owner)", {"name": "a", "owner": 7}
        )
        assert done.insert_id == 1 and done.affected_rows == 1
        await db.insert("prokov", "INSERT INTO items (name, owner) VALUES (:name, :owner)", {"name": "b", "owner": 8})
        # a name used twice, a ':' inside a string left alone
        rows = await db.query(
            "prokov",
            "SELECT id, name, 'a:b' AS lit FROM items WHERE owner = :owner OR (owner > :owner AND name = :name)",
            {"owner": 7, "name": "b"},
        )
        assert [(r["name"], r["lit"]) for r in rows] == [("a", "a:b"), ("b", "a:b")]
        assert (await db.query_one("prokov", "SELECT name FROM items WHERE id = :id", {"id": 2})) == {"name": "b"}
        assert (
            await db.update("prokov", "UPDATE items SET name = :n WHERE id = :id", {"n": "c", "id": 2})
        ).affected_rows == 1
        assert (await db.delete("prokov", "DELETE FROM items WHERE id = :id", {"id": 1})).affected_rows == 1
        # the platform's own stores go through the same client: a revocation lands in the seed's database too
        revocations = SqlRevocationList(db)
        await revocations.revoke("prokov", "jti-1", 2_000_000_000)
        assert await revocations.is_revoked("prokov", "jti-1")
        with pytest.raises(DomainError) as err:
            await db.query("prokov", "SELECT nope FROM missing", {})
        assert err.value.code == "DB_ERROR"
    finally:
        await client.close()
        server.close()
        await server.wait_closed()
    sent = [r["params"] for r in seed.requests]
    assert sent and all(isinstance(p["args"], list) and ":name" not in p["query"] for p in sent)
    assert sent[2]["args"] == [7, 7, "b"] and sent[2]["query"].count("?") == 3
