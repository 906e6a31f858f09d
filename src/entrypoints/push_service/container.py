"""sogoms-push's composition root: the push use cases over the MQTT broker client."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.config.apps import YamlAppRepository
from adapters.mqtt.broker import MqttBroker
from application.push.publish import PushService


class PushContainer(containers.DeclarativeContainer):
    config = providers.Configuration()
    app_settings: providers.Object[dict[str, Any]] = providers.Object({})

    apps = providers.Singleton(YamlAppRepository, config_dir=config.paths.config, secrets_dir=config.paths.secrets)
    broker = providers.Singleton(MqttBroker, secrets_dir=config.paths.secrets)
    service = providers.Singleton(PushService, broker=broker, apps=app_settings)
