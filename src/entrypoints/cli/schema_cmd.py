"""`sogoms schema introspect | generate | validate | diff | migrate APP`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import msgspec

from adapters.clock import SystemClock
from adapters.config.apps import YamlAppRepository
from adapters.config.migration_files import FolderMigrations
from adapters.config.schema_writer import schema_text
from adapters.sql.database import SqlAlchemyDatabase
from adapters.sql.migrator import SqlSchemaMigrator
from application.schema.commands import SchemaCommands
from application.schema.migrations import ApplyMigrations
from domain.app import App
from domain.schema import Schema
from entrypoints.paths import Paths


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
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
        if name == "generate":
            c.add_argument("--stdout", action="store_true", help="print instead of writing schema.yaml")
        if name == "migrate":
            c.add_argument("--apply", action="store_true", help="run the steps (default: only show them)")
            c.add_argument("--allow-destructive", action="store_true", help="allow steps that drop or narrow data")


def _load(paths: Paths, name: str) -> App:
    return YamlAppRepository(paths.config, paths.secrets).load(paths.config / "apps" / name, with_secrets=False)


def _with_commands(paths: Paths, name: str, work: Callable[[App, SchemaCommands], Awaitable[int]]) -> int:
    app = _load(paths, name)

    async def run() -> int:
        db = SqlAlchemyDatabase(paths.secrets, {app.name: app.settings.database})
        migrations = ApplyMigrations(FolderMigrations(paths.config / "apps"), db, db, SystemClock())
        try:
            return await work(app, SchemaCommands(db, SqlSchemaMigrator(db), db, migrations))
        finally:
            await db.close()

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
    problems = SchemaCommands.validate(_load(paths, args.app))
    for p in problems:
        print(f"warning: {p}")
    print(f"{args.app}: schema.yaml is valid" + (f" ({len(problems)} warnings)" if problems else ""))
    return 0


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
        if not report.files and not report.changes:
            print(f"{app.name}: database is up to date")
        elif not args.apply:
            print("dry run: nothing changed (add --apply)")
        return 0

    return _with_commands(paths, args.app, work)
