"""`sogoms`: management commands. Errors become a message and exit code 2, never a traceback.

Only the module of the command being run is imported (`sogoms mailcatcher` stays a small process).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from domain.errors import DomainError
from entrypoints.paths import Paths

COMMANDS = {
    "secrets": "entrypoints.cli.secrets_cmd",
    "schema": "entrypoints.cli.schema_cmd",
    "admin-user": "entrypoints.cli.admin_user_cmd",
    "cron": "entrypoints.cli.cron_cmd",
    "mailcatcher": "entrypoints.cli.mailcatcher_cmd",
}


def check(args: argparse.Namespace, paths: Paths) -> int:
    """Load and check every configuration file, as the services will at start."""
    from adapters.config.apps import YamlAppRepository
    from adapters.schedule.cron_file import load_all_crons
    from adapters.templates.jinja import JinjaTemplates
    from application.registry import AppRegistry
    from entrypoints.cli import admin_user_cmd
    from entrypoints.gateway.settings import load_gateway_settings

    load_gateway_settings(paths.config)
    registry = AppRegistry(YamlAppRepository(paths.config, paths.secrets).load_all())
    templates = JinjaTemplates.load({app.name: Path(app.folder) for app in registry.apps})
    for app in registry.apps:
        print(
            f"ok {app.name}: hosts {', '.join(app.settings.hosts)}; {len(app.resources)} query files; "
            f"{len(templates[app.name])} email templates"
        )
    for name, cron in load_all_crons(paths.config).items():
        if cron.jobs:
            print(f"ok {name}: cron.yaml, {len(cron.jobs)} jobs ({cron.timezone})")
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
