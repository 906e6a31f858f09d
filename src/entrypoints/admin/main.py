"""`sogoms-admin`: the admin web UI (port 9000, bound to 127.0.0.1 unless told otherwise)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import TYPE_CHECKING

from adapters.config.admin_users import YamlAdminUsers
from domain.errors import ConfigError
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths
from entrypoints.server import serve
from entrypoints.wiring.admin_settings import load_admin_settings, users_path

if TYPE_CHECKING:
    from litestar import Litestar

log = logging.getLogger("sogoms.admin")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sogoms-admin", description="SOGOMS admin web UI")
    parser.add_argument("--config", "-config", default=None, help="config folder (default ./config)")
    parser.add_argument("--port", "-port", type=int, default=None, help="TCP port (default 9000)")
    parser.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    parser.add_argument("--log-level", default=os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    paths = Paths.from_env(args.config)
    try:
        settings = load_admin_settings(paths.config)
        users = asyncio.run(YamlAdminUsers(users_path(settings, paths)).all())  # a broken file stops the start
    except ConfigError as exc:
        print(f"sogoms-admin: {exc.message}", file=sys.stderr)
        return 2
    if not users:
        log.warning(
            "no admin account in %s: create one with `sogoms admin-user add NAME --role super_admin`",
            users_path(settings, paths),
        )
    paths.ensure()

    def factory() -> Litestar:
        from .app import create_app

        return create_app(paths, settings)

    return serve(
        factory,
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=1,
        name="sogoms-admin",
    )


if __name__ == "__main__":
    sys.exit(main())
