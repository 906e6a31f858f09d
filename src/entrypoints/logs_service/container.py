"""sogoms-logs's composition root: the log files (retention per app) behind the LogSink actions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dependency_injector import containers, providers

from adapters.config.apps import YamlAppRepository
from adapters.logs.jsonlines import JsonLinesLogSink
from application.admin.audit import ADMIN_LOG


def known_logs(config_dir: Path) -> Callable[[str], bool]:
    """Which names may have a log: a configured app (one created since the start counts once its app.yaml exists)
    or a platform log."""
    apps_dir = Path(config_dir) / "apps"
    platform_logs = {ADMIN_LOG}

    def known(app: str) -> bool:
        return app in platform_logs or (not app.startswith("_") and (apps_dir / app / "app.yaml").is_file())

    return known


class LogsContainer(containers.DeclarativeContainer):
    config = providers.Configuration()

    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    sink = providers.Singleton(
        JsonLinesLogSink,
        log_dir=config.paths.logs,
        fsync=config.fsync,
        known=providers.Callable(known_logs, config_dir=config.paths.config),
    )
