"""`sogoms secrets init APP`: create the app's missing secret files (mode 0600)."""

from __future__ import annotations

import argparse
from pathlib import Path

from adapters.config.apps import YamlAppRepository
from adapters.config.secrets import new_jwt_secret, new_key, secret_path, write_secret
from entrypoints.paths import Paths


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("secrets", help="manage secret files")
    s = p.add_subparsers(dest="secrets_cmd", required=True)
    init = s.add_parser("init", help="generate the missing secret files of an app (mode 0600)")
    init.add_argument("app", nargs="+", help="app name(s)")
    init.set_defaults(run=init_secrets)


def init_secrets(args: argparse.Namespace, paths: Paths) -> int:
    repo = YamlAppRepository(paths.config, paths.secrets)
    for name in args.app:
        settings = repo.load_settings(Path(paths.config) / "apps" / name)
        wanted: list[tuple[str, bytes]] = [(settings.jwt_secret_file, new_jwt_secret())]
        if settings.crypt is not None:
            wanted.append((settings.crypt.key_file or f"{name}_crypt_key", new_key()))
            wanted.append((settings.crypt.blind_index_file or f"{name}_blind_index_key", new_key()))
        for file, value in wanted:
            path = secret_path(paths.secrets, file)
            state = "created" if write_secret(path, value) else "exists "
            print(f"{state} {path}")
    return 0
