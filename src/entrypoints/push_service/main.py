"""`sogoms-push`: publish, notify_user, broadcast, health, on the MQTT broker of config/push.yaml (or an app's own)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from adapters.config.strict import load_yaml_as
from application.push.publish import PUSH_ACTIONS
from domain.push import BrokerSettings, PushSettings
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

from .container import PushContainer

log = logging.getLogger("sogoms.push")


def load_broker_settings(config_dir: Path) -> BrokerSettings:
    """`config/push.yaml` (every key optional); the defaults (127.0.0.1:1883) when the file is absent."""
    path = Path(config_dir) / "push.yaml"
    return load_yaml_as(path, BrokerSettings) if path.exists() else BrokerSettings()


def overrides(apps: dict[str, PushSettings]) -> dict[str, BrokerSettings]:
    return {name: s.broker for name, s in apps.items() if s.broker is not None and s.enabled}


def build(args: argparse.Namespace, paths: Paths) -> Service:
    container = PushContainer()
    container.config.from_dict({"paths": {"config": paths.config, "secrets": paths.secrets}})
    repo = container.apps()

    def load() -> tuple[BrokerSettings, dict[str, PushSettings]]:
        return load_broker_settings(paths.config), {d.name: repo.load_settings(d).push for d in repo.app_dirs()}

    default, apps = load()
    container.app_settings.override(apps)
    broker, service = container.broker(), container.service()

    async def start() -> None:
        await broker.configure(default, overrides(apps))

    async def reload() -> None:
        new_default, new_apps = load()
        await broker.configure(new_default, overrides(new_apps))
        service.configure(new_apps)
        log.info("sogoms-push: settings reloaded")

    return Service("push", service, PUSH_ACTIONS, start=start, reload=reload, closing=[broker])


def main(argv: list[str] | None = None) -> int:
    return service_main(service_args("push", "SOGOMS push service (MQTT)"), "push", build, argv)


if __name__ == "__main__":
    sys.exit(main())
