"""`sogoms`: management commands. Errors become a message and exit code 2, never a traceback.

Only the module of the command being run is imported (`sogoms mailcatcher` stays a small process).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from entrypoints.logs_setup import private_files
from entrypoints.paths import Paths

COMMANDS = {
    "secrets": "entrypoints.cli.secrets_cmd",
    "schema": "entrypoints.cli.schema_cmd",
    "crypt": "entrypoints.cli.crypt_cmd",
    "admin-user": "entrypoints.cli.admin_user_cmd",
    "cron": "entrypoints.cli.cron_cmd",
    "tokens": "entrypoints.cli.tokens_cmd",
    "emails": "entrypoints.cli.emails_cmd",
    "mailcatcher": "entrypoints.cli.mailcatcher_cmd",
    "devmailbox": "entrypoints.cli.devmailbox_cmd",
}


SEED_LOGIN_INCLUDE = ("projects", "tasks", "tags", "statuses")  # what the Go gateway hard-coded into prokov's login


def login_include_hint(app: Any) -> str:
    """For an app without `auth.login_include`: how to get the Go system's enriched login back (else "")."""
    if app.settings.auth.login_include:
        return ""
    listed = set(app.resources)
    if app.schema is not None:
        listed |= {
            n
            for n, t in app.schema.tables.items()
            if "list" in t.crud and all(f.auth is None for f in t.fields.values())
        }
    listed.discard("users")
    if not listed:
        return ""
    ordered = [n for n in SEED_LOGIN_INCLUDE if n in listed] + sorted(listed - set(SEED_LOGIN_INCLUDE))
    return (
        f"{app.name}: POST /api/auth/login answers the token and the user only. The Go gateway also sent the "
        f"user's {', '.join(SEED_LOGIN_INCLUDE)} with it; to get that enriched login back, add to "
        f"config/apps/{app.name}/app.yaml under `auth:`  login_include: [{', '.join(ordered)}]"
    )


def check(args: argparse.Namespace, paths: Paths) -> int:
    """Load and check every configuration file, as the services will at start."""
    from adapters.schedule.cron_file import load_all_crons
    from adapters.sql.places import shared
    from adapters.templates.jinja import JinjaTemplates
    from application.registry import AppRegistry
    from entrypoints.cli import admin_user_cmd
    from entrypoints.cli.container import cli_container
    from entrypoints.wiring.gateway_settings import load_gateway_settings

    load_gateway_settings(paths.config)
    registry = AppRegistry(cli_container(paths).apps().load_all())
    templates = JinjaTemplates.load({app.name: Path(app.folder) for app in registry.apps})
    for app in registry.apps:
        print(
            f"ok {app.name}: hosts {', '.join(app.settings.hosts)}; {len(app.resources)} query files; "
            f"{len(templates[app.name])} email templates"
        )
    for app in registry.apps:
        hint = login_include_hint(app)
        if hint:
            print(f"note: {hint}")
    for name, cron in load_all_crons(paths.config).items():
        if cron.jobs:
            print(f"ok {name}: cron.yaml, {len(cron.jobs)} jobs ({cron.timezone})")
    for warning in shared({app.name: app.settings.database for app in registry.apps}):
        print(f"warning: {warning}")
    admin_user_cmd.check(paths)
    return 0


def _wanted(argv: list[str]) -> list[str]:
    """The command modules to register: the one named on the command line, or all (for help and errors)."""
    for token in argv:
        if token in COMMANDS:
            return [COMMANDS[token]]
        if token == "check":
            return []
    return list(COMMANDS.values())


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    private_files()  # databases and logs it creates (schema migrate, secrets init...) are the platform's alone
    parser = argparse.ArgumentParser(prog="sogoms", description="SOGOMS management commands")
    parser.add_argument("--config", default=None, help="config folder (default ./config)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in _wanted(argv):
        importlib.import_module(module).register(sub)
    c = sub.add_parser("check", help="validate every configuration file")
    c.set_defaults(run=check)
    args = parser.parse_args(argv)
    paths = Paths.from_env(args.config)
    try:
        return int(args.run(args, paths))
    except DomainError as exc:
        print(f"sogoms: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
