"""`sogoms schema generate | diff | migrate | validate` as a subprocess, on a live SQLite and MariaDB database."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.support.platform import Platform

SOGOMS = str(Path(sys.executable).parent / "sogoms")

NEW_COLUMN = "      note: {type: text}\n"
NEW_TABLE = (
    "  notes:\n"
    "    fields:\n"
    "      id: {type: int, primary: true, auto: true}\n"
    "      user_id: {type: int, foreign: users.id, filter: owner, nullable: false}\n"
    "      body: {type: string, max_length: 80}\n\n"
)


def sogoms(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SOGOMS, "schema", *args], env=platform.env, capture_output=True, text=True, timeout=60)


def schema_file(platform: Platform, app: str) -> Path:
    return platform.paths.config / "apps" / app / "schema.yaml"


def rows(platform: Platform, app: str, sql: str) -> list[dict[str, Any]]:
    from adapters.config.apps import YamlAppRepository
    from adapters.sql.database import SqlAlchemyDatabase

    settings = YamlAppRepository(platform.paths.config, platform.paths.secrets).load_settings(
        platform.paths.config / "apps" / app
    )

    async def run() -> list[dict[str, Any]]:
        db = SqlAlchemyDatabase(platform.paths.secrets, {app: settings.database})
        try:
            return await db.query(app, sql, {})
        finally:
            await db.close()

    return asyncio.run(run())


def add_to_tags(text: str) -> str:
    """schema.yaml of prokov with a `note` column on tags and a new `notes` table."""
    anchor = "  tasks:\n"
    head, tail = text.split(anchor, 1)
    assert head.rstrip().endswith("position: {type: int, nullable: false, default: 0}")
    return head.rstrip("\n") + "\n" + NEW_COLUMN + "\n" + NEW_TABLE + anchor + tail


def test_generate_then_diff_is_empty_for_both_demo_apps(platform):
    for app in ("prokov", "koprogo"):
        generated = sogoms(platform, "generate", app)
        assert generated.returncode == 0, generated.stderr
        assert "wrote" in generated.stdout
        diff = sogoms(platform, "diff", app)
        assert diff.returncode == 0, diff.stdout + diff.stderr
        assert "database matches schema.yaml" in diff.stdout


def test_generate_from_a_bare_database_marks_user_id_as_owner(platform):
    path = schema_file(platform, "prokov")
    path.unlink()  # nothing to keep: what is written comes from the database alone
    app_yaml = path.parent / "app.yaml"  # login_include names schema tables, which do not exist yet
    app_yaml.write_text("".join(line for line in app_yaml.read_text().splitlines(True) if "login_include" not in line))
    generated = sogoms(platform, "generate", "prokov")
    assert generated.returncode == 0, generated.stderr
    tables = yaml.safe_load(path.read_text())["tables"]
    assert set(tables) == {"users", "projects", "statuses", "tags", "tasks"}
    for name in ("projects", "statuses", "tags", "tasks"):
        assert tables[name]["fields"]["user_id"].get("filter") == "owner", name
        assert tables[name]["fields"]["user_id"].get("foreign") == "users.id", name
    assert "filter" not in tables["tasks"]["fields"]["project_id"]
    assert tables["tasks"]["fields"]["project_id"]["foreign"] == "projects.id"
    # without `order:` each list reads by id within its owner: the schema asks for that index, nothing else
    diff = sogoms(platform, "diff", "prokov")
    assert diff.returncode == 1, diff.stdout + diff.stderr
    assert sorted(diff.stdout.splitlines()) == [
        f"add index {t} (user_id, id): list" for t in ("projects", "statuses", "tags", "tasks")
    ]
    migrated = sogoms(platform, "migrate", "prokov", "--apply")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    diff = sogoms(platform, "diff", "prokov")
    assert diff.returncode == 0, diff.stdout + diff.stderr


def test_introspect_prints_the_live_tables_as_json(platform):
    import json

    out = sogoms(platform, "introspect", "koprogo")
    assert out.returncode == 0, out.stderr
    tables = json.loads(out.stdout)["tables"]
    assert {"organizations", "buildings", "owners", "units", "expenses", "users"} <= set(tables)
    assert tables["units"]["fields"]["building_id"]["foreign"] == "buildings.id"


def test_migrate_shows_then_applies_a_new_column_and_table(platform):
    path = schema_file(platform, "prokov")
    path.write_text(add_to_tags(path.read_text()))

    before = sogoms(platform, "diff", "prokov")
    assert before.returncode == 1
    assert "add column tags.note" in before.stdout and "create table notes" in before.stdout

    dry = sogoms(platform, "migrate", "prokov")
    assert dry.returncode == 0, dry.stderr
    assert "CREATE TABLE notes" in dry.stdout
    assert "ALTER TABLE tags ADD COLUMN note" in dry.stdout
    assert "dry run: nothing changed" in dry.stdout
    still = sogoms(platform, "diff", "prokov")
    assert still.returncode == 1, "a migrate without --apply changed the database"
    assert "create table notes" in still.stdout

    applied = sogoms(platform, "migrate", "prokov", "--apply")
    assert applied.returncode == 0, applied.stderr
    assert "done: create table notes" in applied.stdout
    after = sogoms(platform, "diff", "prokov")
    assert after.returncode == 0, after.stdout + after.stderr
    assert rows(platform, "prokov", "SELECT COUNT(*) AS n FROM tags")[0]["n"] > 0
    assert rows(platform, "prokov", "SELECT COUNT(*) AS n FROM notes")[0]["n"] == 0


def test_a_destructive_change_needs_allow_destructive(platform):
    path = schema_file(platform, "prokov")
    original = path.read_text()
    path.write_text(add_to_tags(original))
    assert sogoms(platform, "migrate", "prokov", "--apply").returncode == 0
    tags = rows(platform, "prokov", "SELECT id, name FROM tags ORDER BY id")
    assert tags

    path.write_text(original)  # the column and the table go away again: data would be lost
    refused = sogoms(platform, "migrate", "prokov", "--apply")
    assert refused.returncode == 2
    assert "--allow-destructive" in refused.stderr
    assert "drop column tags.note" in refused.stderr and "drop table notes" in refused.stderr
    assert "Traceback" not in refused.stderr
    unchanged = sogoms(platform, "diff", "prokov")
    assert unchanged.returncode == 1 and "drop column tags.note [destructive]" in unchanged.stdout

    allowed = sogoms(platform, "migrate", "prokov", "--apply", "--allow-destructive")
    assert allowed.returncode == 0, allowed.stderr
    assert sogoms(platform, "diff", "prokov").returncode == 0
    # the rows of the altered table survive (SQLite rebuilds the table to drop a column)
    assert rows(platform, "prokov", "SELECT id, name FROM tags ORDER BY id") == tags


def test_validate_accepts_the_demo_apps(platform):
    for app in ("prokov", "koprogo"):
        out = sogoms(platform, "validate", app)
        assert out.returncode == 0, out.stderr
        assert f"{app}: schema.yaml is valid" in out.stdout


def test_validate_names_the_file_and_the_key_path(platform):
    path = schema_file(platform, "prokov")
    original = path.read_text()
    cases = [
        (original.replace("done: {type: bool", "done: {type: boolean", 1), "tables.tasks.fields.done.type"),
        (original.replace("color: {type: string", "color: {type: string, colour: red", 1), "tables.statuses"),
        (original.replace("foreign: projects.id", "foreign: nothing.id", 1), "tasks.project_id"),
        (original.replace("max_length: 200, required: true", "max_length: 0, required: true", 1), "tables.tasks"),
    ]
    for text, where in cases:
        assert text != original
        path.write_text(text)
        out = sogoms(platform, "validate", "prokov")
        assert out.returncode == 2, out.stdout
        assert str(path) in out.stderr, out.stderr
        assert where in out.stderr, out.stderr
        assert "Traceback" not in out.stderr


def test_validate_warns_about_a_sort_without_an_index_until_migrate_creates_it(platform):
    for app in ("prokov", "koprogo"):  # the demo apps' migrations create every index their lists need
        out = sogoms(platform, "validate", app)
        assert out.stdout.strip().splitlines()[-1] == f"{app}: schema.yaml is valid", out.stdout
    path = schema_file(platform, "prokov")
    text = path.read_text()
    indexed = text.replace(
        "title: {type: string, max_length: 200", "title: {type: string, index: true, max_length: 200"
    )
    path.write_text(indexed.replace('order: "position ASC, id ASC"', 'order: "position + 0"', 1))
    out = sogoms(platform, "validate", "prokov")
    assert out.returncode == 0, out.stderr
    assert "tasks: list sort=title: no index on (user_id, title, id)" in out.stdout, out.stdout
    assert "runs: SELECT" in out.stdout and "ORDER BY" in out.stdout
    assert "CREATE INDEX ix_tasks_user_id_title_id ON tasks (user_id, title, id)" in out.stdout
    assert "projects: list: no index can serve it (`order: position + 0` is an expression" in out.stdout
    if platform.backend == "mariadb":
        assert "EXPLAIN: " in out.stdout
    else:
        assert "EXPLAIN" not in out.stdout
    assert "warnings)" in out.stdout
    migrated = sogoms(platform, "migrate", "prokov", "--apply")
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "add index tasks (user_id, title, id)" in migrated.stdout
    out = sogoms(platform, "validate", "prokov")
    assert "sort=title" not in out.stdout, out.stdout
    assert "projects: list: no index can serve it" in out.stdout
    offline = sogoms(platform, "validate", "prokov", "--offline")
    assert offline.stdout.strip() == "prokov: schema.yaml is valid", offline.stdout
