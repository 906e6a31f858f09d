"""`sogoms-push`: publish, notify_user, broadcast, health, on the MQTT broker of config/push.yaml (or an app's own)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from adapters.config.apps import YamlAppRepository
from adapters.config.strict import load_yaml_as
from adapters.ipc.dispatch import actions_of
from adapters.ipc.push import PUSH_ACTIONS
from adapters.ipc.server import IpcServer
from adapters.mqtt.broker import MqttBroker
from application.push.publish import PushService
from domain.errors import ConfigError
from domain.push import BrokerSettings, PushSettings
from entrypoints.service import prepare, run, run_service, service_args

log = logging.getLogger("sogoms.push")


def load_broker_settings(config_dir: Path) -> BrokerSettings:
    """`config/push.yaml` (every key optional); the defaults (127.0.0.1:1883) when the file is absent."""
    path = Path(config_dir) / "push.yaml"
    return load_yaml_as(path, BrokerSettings) if path.exists() else BrokerSettings()


def overrides(apps: dict[str, PushSettings]) -> dict[str, BrokerSettings]:
    return {name: s.broker for name, s in apps.items() if s.broker is not None and s.enabled}


def main(argv: list[str] | None = None) -> int:
    args = service_args("push", "SOGOMS push service (MQTT)").parse_args(argv)
    paths, socket = prepare(args, "push")
    repo = YamlAppRepository(paths.config, paths.secrets)

    def load() -> tuple[BrokerSettings, dict[str, PushSettings]]:
        return load_broker_settings(paths.config), {d.name: repo.load_settings(d).push for d in repo.app_dirs()}

    try:
        default, apps = load()
    except ConfigError as exc:
        print(f"sogoms-push: {exc.message}", file=sys.stderr)
        return 2
    broker = MqttBroker(paths.secrets)
    service = PushService(broker, apps)
    server = IpcServer(socket, actions_of(service, PUSH_ACTIONS), name="sogoms-push")

    async def reload() -> None:
        try:
            new_default, new_apps = load()
            await broker.configure(new_default, overrides(new_apps))
        except ConfigError as exc:
            log.error("sogoms-push: reload refused, keeping the previous settings: %s", exc.message)
            return
        service.configure(new_apps)
        log.info("sogoms-push: settings reloaded")

    async def serve() -> None:
        await broker.configure(default, overrides(apps))
        await run_service(server, on_reload=reload, on_stop=broker.close)

    try:
        return run(serve)
    except ConfigError as exc:
        print(f"sogoms-push: {exc.message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
