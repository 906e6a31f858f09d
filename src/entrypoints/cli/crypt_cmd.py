"""`sogoms crypt status APP` (values per key id) and `sogoms crypt rotate APP` (online key rotation)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.clock import AsyncioPause
from adapters.crypt.aesgcm import AesGcmCipher
from adapters.crypt.keyring import FileKeyrings
from application.crypt.reseal import Resealer, RotateKeys
from domain.app import App
from domain.errors import ConfigError
from entrypoints.paths import Paths

from .container import app_database, load_app


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("crypt", help="field encryption: key rotation and its state")
    s = p.add_subparsers(dest="crypt_cmd", required=True)
    st = s.add_parser("status", help="the keyring and how many stored values each key id holds")
    st.add_argument("app")
    st.set_defaults(run=cmd_status)
    rot = s.add_parser(
        "rotate",
        help="add a key, make it the active one, re-encrypt every value under it in batches (the API keeps "
        "serving), then retire the keys no value uses; resumes an interrupted rotation",
    )
    rot.add_argument("app")
    rot.add_argument("--batch", type=int, default=200, help="rows per batch (default 200)")
    rot.add_argument("--pause", type=float, default=0.0, help="seconds between batches (spares a busy database)")
    rot.set_defaults(run=cmd_rotate)


def _with(
    paths: Paths,
    name: str,
    batch: int,
    work: Callable[[App, Resealer, FileKeyrings], Awaitable[int]],
    pause: float = 0.0,
) -> int:
    app = load_app(paths, name)
    if app.schema is None or not any(t.encrypted for t in app.schema.tables.values()):
        raise ConfigError(f"app {name}: its schema.yaml encrypts no field")
    settings = {app.name: app.settings}

    async def run() -> int:
        async with app_database(paths, app) as db:
            resealer = Resealer(
                db, AesGcmCipher(paths.secrets, settings), batch=batch, pause=pause, waits=AsyncioPause()
            )
            return await work(app, resealer, FileKeyrings(paths.secrets, settings))

    return asyncio.run(run())


def _print_status(app: App, keyrings: FileKeyrings, status: dict[str, Any]) -> None:
    active = keyrings.active(app.name)
    print(f"app {app.name}: keys {', '.join(keyrings.key_ids(app.name))}; active {active}")
    for column, counts in status.items():
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "no values"
        print(f"  {column}: {shown}")


def cmd_status(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, resealer: Resealer, keyrings: FileKeyrings) -> int:
        assert app.schema is not None
        _print_status(app, keyrings, await resealer.status(app.name, app.schema))
        return 0

    return _with(paths, args.app, 200, work)


def cmd_rotate(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, resealer: Resealer, keyrings: FileKeyrings) -> int:
        assert app.schema is not None
        resumed = len(keyrings.key_ids(app.name)) > 1
        report = await RotateKeys(resealer, keyrings, AsyncioPause())(app.name, app.schema)
        if resumed:
            print(f"resumed the rotation to key {keyrings.active(app.name)}")
        else:
            print(f"new active key {report.new_key}")
        print(f"re-encrypted {report.rewritten} value(s) in {report.passes} pass(es)")
        if report.retired:
            print(f"retired key(s) {', '.join(report.retired)}: no value uses them any more")
        if report.remaining:
            left = ", ".join(f"{k}: {v}" for k, v in sorted(report.remaining.items()))
            print(f"still in use ({left}): run `sogoms crypt rotate {app.name}` again to finish")
        _print_status(app, keyrings, await resealer.status(app.name, app.schema))
        return 0 if not report.remaining else 1

    return _with(paths, args.app, args.batch, work, args.pause)
