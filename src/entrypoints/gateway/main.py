"""`sogoway`: the gateway binary."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from typing import TYPE_CHECKING

from domain.durations import parse_duration
from domain.errors import ConfigError
from entrypoints.logs_setup import setup_logging
from entrypoints.paths import Paths
from entrypoints.server import serve
from entrypoints.wiring.gateway_settings import load_gateway_settings

if TYPE_CHECKING:
    from litestar import Litestar


def import_pyjwt_hs256_only() -> None:
    """PyJWT loads `cryptography`'s asymmetric algorithms whenever it is installed (it is, for field encryption);
    the gateway signs HS256 only (stdlib hmac), so import PyJWT with that package hidden: each worker is spared
    OpenSSL's RSA/EC modules, and loads the AES-GCM cipher alone, only when it encrypts in-process."""
    if "jwt" in sys.modules or "cryptography" in sys.modules:
        return
    sys.modules["cryptography"] = None  # type: ignore[assignment]  # import machinery: "not installed"
    try:
        import jwt  # noqa: F401
    finally:
        del sys.modules["cryptography"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sogoway", description="SOGOMS multi-tenant HTTP gateway")
    parser.add_argument("--config", "-config", default=None, help="config folder (default ./config)")
    parser.add_argument("--port", "-port", type=int, default=None, help="TCP port (default 8080)")
    parser.add_argument("--host", default=None, help="address to bind (default from gateway.yaml)")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--log-level", default=os.environ.get("SOGOMS_LOG_LEVEL", "INFO"))
    args = parser.parse_args(argv)
    setup_logging(args.log_level)
    paths = Paths.from_env(args.config)
    try:
        settings = load_gateway_settings(paths.config)
        # fail before forking: a bad app folder or secret stops the gateway with the reason
        from adapters.config.apps import YamlAppRepository
        from application.registry import AppRegistry

        AppRegistry(YamlAppRepository(paths.config, paths.secrets).load_all())
    except ConfigError as exc:
        print(f"sogoway: {exc.message}", file=sys.stderr)
        return 2
    paths.ensure()
    from adapters.metrics.multiprocess import prepare_multiprocess_dir, worker_exited

    # every worker's metrics in one /metrics: set before any worker imports prometheus-client
    prepare_multiprocess_dir(str(paths.run / "metrics-sogoway"))
    port = args.port or settings.port
    host = args.host or settings.host
    workers = args.workers if args.workers is not None else settings.worker_count

    # imported once here, before the workers fork: they share these pages and start faster
    import_pyjwt_hs256_only()
    from adapters.sql import core_statements  # noqa: F401  (loaded at the first statement elsewhere: core_sql.py)

    from .app import create_app

    served = dataclasses.replace(settings, workers=max(1, workers))  # --workers wins over gateway.yaml

    def factory() -> Litestar:
        return create_app(paths, served, handle_signals=True)

    return serve(
        factory,
        host=host,
        port=port,
        workers=max(1, workers),
        header_timeout=parse_duration(settings.header_timeout),
        body_timeout=parse_duration(settings.body_timeout),
        keepalive=parse_duration(settings.keepalive),
        graceful=parse_duration(settings.graceful_timeout),
        name="sogoway",
        on_worker_exit=worker_exited,
    )


if __name__ == "__main__":
    sys.exit(main())
