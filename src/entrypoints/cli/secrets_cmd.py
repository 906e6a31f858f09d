"""`sogoms secrets init APP`: create the app's missing secret files (mode 0600)."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapters.config.apps import YamlAppRepository
from adapters.config.schema_file import load_schema
from adapters.config.secrets import new_jwt_secret, new_secret, secret_path, write_secret
from adapters.crypt.keyring import new_blind_key_text, new_keyring_text
from entrypoints.paths import Paths

from .container import cli_container


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("secrets", help="manage secret files")
    s = p.add_subparsers(dest="secrets_cmd", required=True)
    init = s.add_parser("init", help="generate the missing secret files of an app (mode 0600)")
    init.add_argument("app", nargs="+", help="app name(s)")
    init.add_argument(
        "--admin-token",
        action="store_true",
        help="also {app}_admin_token: turns on the gateway's _admin/schema endpoints for the app (X-Admin-Token)",
    )
    init.set_defaults(run=init_secrets)


def encrypts(folder: Path) -> bool:
    """Whether the app's schema.yaml marks any field encrypted."""
    path = folder / "schema.yaml"
    if not path.exists():
        return False
    return any(t.encrypted for t in load_schema(path).tables.values())


def init_secrets(args: argparse.Namespace, paths: Paths) -> int:
    repo = cli_container(paths).apps()
    for name in args.app:
        folder = Path(paths.config) / "apps" / name
        settings = repo.load_settings(folder)
        wanted: list[tuple[str, bytes]] = [(settings.jwt_secret_file, new_jwt_secret())]
        if settings.crypt is not None or encrypts(folder):
            wanted.append((settings.crypt_key_file, new_keyring_text(name)))
            wanted.append((settings.blind_index_file, new_blind_key_text()))
        wanted.extend(_mail_secrets(repo, folder))
        if getattr(args, "admin_token", False):  # the schema admin endpoints of the gateway (off without it)
            wanted.append((f"{name}_admin_token", new_secret()))
        for file, value in wanted:
            path = secret_path(paths.secrets, file)
            state = "created" if write_secret(path, value) else "exists "
            print(f"{state} {path}")
    return 0


def _mail_secrets(repo: YamlAppRepository, folder: Path) -> list[tuple[str, bytes]]:
    """The inbound-mail address secret (when mailrules.yaml uses secret addresses) and a password for each IMAP
    mailbox (what `sogoms devmailbox` logs in with; put your provider's password there for a real mailbox)."""
    from adapters.config.inbound_apps import mail_secret_file
    from adapters.config.mail_rules import load_mail_rules

    app = repo.load(folder, with_secrets=False)
    wanted: list[tuple[str, bytes]] = []
    rules = load_mail_rules(app)
    if rules is not None and rules.senders.secret_address:
        wanted.append((mail_secret_file(app, rules), new_secret()))
    for box in app.settings.imap.values():
        if box.password_file:
            wanted.append((box.password_file, new_secret()))
    return wanted
