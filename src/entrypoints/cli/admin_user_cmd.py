"""`sogoms admin-user add | passwd | list`: the admin UI's accounts (passwords from a prompt or stdin, never argv)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from adapters.config.admin_users import YamlAdminUsers
from adapters.security.argon2_hasher import Argon2Hasher
from adapters.sql.admin_state import SqlAdminState
from application.admin.accounts import AdminAccounts, NewAdmin
from domain.admin import PERMISSIONS
from domain.errors import InvalidInput
from entrypoints.paths import Paths
from entrypoints.wiring.admin_settings import load_admin_settings, state_url, users_path

T = TypeVar("T")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("admin-user", help="accounts of the admin web UI")
    s = p.add_subparsers(dest="admin_user_cmd", required=True)
    add = s.add_parser("add", help="create an admin account (password prompted, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=("super_admin", "app_admin"), default="app_admin")
    add.add_argument("--email", default="")
    add.add_argument("--app", action="append", default=[], dest="apps", help="an app this app_admin manages")
    add.add_argument(
        "--permission",
        action="append",
        default=[],
        dest="permissions",
        help=f"one of {', '.join(PERMISSIONS)} or * (repeat)",
    )
    add.add_argument("--generate", action="store_true", help="generate a password and print it once")
    add.add_argument("--if-missing", action="store_true", help="do nothing when the account already exists")
    add.set_defaults(run=cmd_add)
    pw = s.add_parser("passwd", help="set a new password (every session of the account ends)")
    pw.add_argument("username")
    pw.add_argument("--generate", action="store_true", help="generate a password and print it once")
    pw.set_defaults(run=cmd_passwd)
    ls = s.add_parser("list", help="list the accounts")
    ls.set_defaults(run=cmd_list)


def check(paths: Paths) -> None:
    """`sogoms check`: config/admin.yaml and the accounts file load as sogoms-admin loads them."""
    settings = load_admin_settings(paths.config)
    users = asyncio.run(YamlAdminUsers(users_path(settings, paths)).all())
    print(f"ok admin: port {settings.port}; {len(users)} admin accounts" + ("" if users else " (none yet)"))


def _run(paths: Paths, work: Callable[[AdminAccounts], Awaitable[T]]) -> T:
    settings = load_admin_settings(paths.config)

    async def run() -> T:
        hasher = Argon2Hasher(workers=1)
        state = SqlAdminState(state_url(settings, paths), paths.secrets)
        try:
            return await work(AdminAccounts(YamlAdminUsers(users_path(settings, paths)), hasher, state))
        finally:
            await state.close()
            hasher.close()

    return asyncio.run(run())


def read_password(generate: bool) -> tuple[str, bool]:
    """(password, generated): generated, prompted twice on a terminal, or the first line of stdin."""
    if generate:
        return secrets.token_urlsafe(15), True
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != first:
            raise InvalidInput([], "the two passwords differ")
        return first, False
    return sys.stdin.readline().rstrip("\r\n"), False


def cmd_add(args: argparse.Namespace, paths: Paths) -> int:
    if args.if_missing:
        existing = _run(paths, lambda a: a.list())
        if any(u.username == args.username.strip().lower() for u in existing):
            print(
                f"admin user {args.username} exists (new password: sogoms admin-user passwd {args.username} --generate)"
            )
            return 0
    password, generated = read_password(args.generate)
    cmd = NewAdmin(args.username, password, args.role, args.email, tuple(args.apps), tuple(args.permissions))
    user = _run(paths, lambda a: a.add(cmd))
    print(f"created {user.role.value} {user.username}")
    if generated:
        print(f"password: {password}   (shown once; change it with `sogoms admin-user passwd {user.username}`)")
    return 0


def cmd_passwd(args: argparse.Namespace, paths: Paths) -> int:
    password, generated = read_password(args.generate)
    ended = _run(paths, lambda a: a.passwd(args.username, password))
    print(f"password of {args.username} changed; {ended} session(s) ended")
    if generated:
        print(f"password: {password}   (shown once)")
    return 0


def cmd_list(args: argparse.Namespace, paths: Paths) -> int:
    for u in _run(paths, lambda a: a.list()):
        scope = "all apps" if u.is_super else f"apps: {', '.join(u.apps)}; permissions: {', '.join(u.permissions)}"
        print(f"{u.username}\t{u.role.value}\t{u.email or '-'}\t{scope}")
    return 0
