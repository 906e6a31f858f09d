"""`sogoms schema introspect | generate | validate | diff | migrate APP`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec

from adapters.clock import SystemClock
from adapters.config.migration_files import FolderMigrations
from adapters.config.schema_writer import schema_text
from adapters.sql.core_sql import CoreTableSql
from adapters.sql.migrator import SqlSchemaMigrator
from application.schema.commands import SchemaCommands
from application.schema.index_advice import IndexAdvice
from application.schema.migrations import ApplyMigrations
from domain.app import App
from domain.errors import DomainError
from domain.schema.model import Schema
from entrypoints.paths import Paths

from .container import app_database, load_app


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="an app's schema.yaml and its database")
    s = p.add_subparsers(dest="schema_cmd", required=True)
    for name, text in (
        ("introspect", "print the live database's tables as the platform reads them (JSON)"),
        ("generate", "write schema.yaml from the live database (keeps your annotations)"),
        ("validate", "check schema.yaml"),
        ("diff", "differences between schema.yaml and the live database (exit 1 when any)"),
        ("migrate", "run pending migrations/*.sql and the DDL reaching schema.yaml (dry run without --apply)"),
    ):
        c = s.add_parser(name, help=text)
        c.add_argument("app")
        c.set_defaults(run=globals()[f"cmd_{name}"])
        if name == "validate":
            c.add_argument(
                "--offline", action="store_true", help="check the file only (no index check on the database)"
            )
        if name == "generate":
            c.add_argument("--stdout", action="store_true", help="print instead of writing schema.yaml")
        if name == "migrate":
            c.add_argument("--apply", action="store_true", help="run the steps (default: only show them)")
            c.add_argument("--allow-destructive", action="store_true", help="allow steps that drop or narrow data")


def _load(paths: Paths, name: str) -> App:
    return load_app(paths, name)


def _sealing(paths: Paths, app: App, db: Any) -> tuple[Any, Any]:
    """The re-sealing machinery when the app encrypts fields (AES-GCM is loaded only then)."""
    if app.schema is None or not any(t.encrypted for t in app.schema.tables.values()):
        return None, None
    from adapters.crypt.aesgcm import AesGcmCipher
    from adapters.crypt.keyring import FileKeyrings
    from application.crypt.reseal import Resealer

    settings = {app.name: app.settings}
    return Resealer(db, AesGcmCipher(paths.secrets, settings)), FileKeyrings(paths.secrets, settings)


def _with_commands(paths: Paths, name: str, work: Callable[[App, SchemaCommands], Awaitable[int]]) -> int:
    app = _load(paths, name)

    async def run() -> int:
        async with app_database(paths, app) as db:
            migrations = ApplyMigrations(FolderMigrations(paths.config / "apps"), db, db, SystemClock())
            resealer, keyrings = _sealing(paths, app, db)
            return await work(app, SchemaCommands(db, SqlSchemaMigrator(db), db, migrations, resealer, keyrings))

    return asyncio.run(run())


def _schema_json(schema: Schema) -> str:
    return json.dumps(_plain(schema), indent=2)


def _plain(value: object) -> object:
    """Builtins for JSON; a dataclass's internal fields (`_presenters`: functions) are not part of the schema."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return msgspec.to_builtins(value)


def cmd_introspect(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, c: SchemaCommands) -> int:
        print(_schema_json(await c.introspect(app)))
        return 0

    return _with_commands(paths, args.app, work)


def cmd_generate(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, c: SchemaCommands) -> int:
        text = schema_text(
            await c.generate(app),
            f"schema.yaml of {app.name}, generated from its database by "
            "`sogoms schema generate`; annotations you add are kept.",
        )
        if args.stdout:
            sys.stdout.write(text)
        else:
            target = Path(app.folder) / "schema.yaml"
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target}")
        return 0

    return _with_commands(paths, args.app, work)


def cmd_validate(args: argparse.Namespace, paths: Paths) -> int:
    app = _load(paths, args.app)
    problems = SchemaCommands.validate(app)
    for p in problems:
        print(f"warning: {p}")
    count = len(problems)
    if not args.offline:
        count += _index_warnings(app, paths)
    print(f"{args.app}: schema.yaml is valid" + (f" ({count} warnings)" if count else ""))
    return 0


def _index_warnings(app: App, paths: Paths) -> int:
    """Each list, sort and include path no live index serves (with EXPLAIN's verdict on MariaDB)."""

    async def run() -> list[str]:
        async with app_database(paths, app) as db:
            return [w.describe() for w in await IndexAdvice(db, CoreTableSql()).warnings(app)]

    try:
        found = asyncio.run(run())
    except DomainError as exc:
        print(f"note: indexes not checked: the database did not answer ({exc.message}); --offline skips this")
        return 0
    for text in found:
        print(f"warning: {text}")
    return len(found)


def cmd_diff(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, c: SchemaCommands) -> int:
        changes = await c.diff(app)
        for change in changes:
            print(change.describe())
        if not changes:
            print(f"{app.name}: database matches schema.yaml")
        return 1 if changes else 0

    return _with_commands(paths, args.app, work)


def cmd_migrate(args: argparse.Namespace, paths: Paths) -> int:
    async def work(app: App, c: SchemaCommands) -> int:
        report = await c.migrate(app, apply=args.apply, allow_destructive=args.allow_destructive)
        verb = "applied" if args.apply else "pending"
        for m in report.files:
            print(f"{verb} migration {m.name}")
        for change in report.changes:
            print(f"{'done' if args.apply else 'to do'}: {change.describe()}")
        if not args.apply:
            for sql in report.statements:
                print(f"  {sql};")
            if report.files and report.changes:
                print("(schema steps computed before the pending migrations ran; run again after --apply)")
        if report.sealed:
            print(f"encrypted in place: {report.sealed} value(s) of encrypted fields")
        elif report.to_seal:
            print(f"to do: encrypt in place {report.to_seal} value(s) of encrypted fields not under the active key")
        if not report.files and not report.changes and not report.to_seal:
            print(f"{app.name}: database is up to date")
        elif not args.apply:
            print("dry run: nothing changed (add --apply)")
        return 0

    return _with_commands(paths, args.app, work)
