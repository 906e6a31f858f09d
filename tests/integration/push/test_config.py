"""The push settings as written in YAML: strict keys, clear errors naming the file and the key."""

from pathlib import Path

import pytest

from adapters.config.strict import load_yaml_as
from domain.app import AppSettings
from domain.errors import ConfigError
from entrypoints.push_service.main import load_broker_settings, overrides

APP = """app: prokov
hosts: [prokov.localhost]
database: {url: "sqlite+aiosqlite://"}
"""


def app_yaml(tmp_path: Path, push: str) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(APP + push)
    return path


def test_an_app_may_name_its_own_broker(tmp_path):
    push = "push:\n  enabled: true\n  topics: [tasks]\n  broker: {host: mqtt.example.com, port: 8883, tls: true}\n"
    settings = load_yaml_as(app_yaml(tmp_path, push), AppSettings)
    assert settings.push.topics == ("tasks",)
    assert settings.push.broker is not None and settings.push.broker.address == "mqtt.example.com:8883"
    assert overrides({"prokov": settings.push}) == {"prokov": settings.push.broker}


@pytest.mark.parametrize(
    ("push", "where"),
    [
        ("push: {enabled: true, topic: [tasks]}\n", "push.topic"),
        ("push: {broker: {hots: x}}\n", "push.broker.hots"),
        ("push: {topics: ['tasks/#']}\n", "push"),
        ("push: {broker: {port: 0}}\n", "push.broker"),
    ],
)
def test_bad_push_sections_name_the_key(tmp_path, push, where):
    with pytest.raises(ConfigError) as info:
        load_yaml_as(app_yaml(tmp_path, push), AppSettings)
    assert "app.yaml" in info.value.message and where in info.value.message


def test_push_yaml_defaults_and_env(tmp_path, monkeypatch):
    assert load_broker_settings(tmp_path).address == "127.0.0.1:1883"  # no file: the defaults
    shipped = Path(__file__).resolve().parents[3] / "config" / "push.yaml"
    (tmp_path / "push.yaml").write_text(shipped.read_text())
    monkeypatch.setenv("SOGOMS_MQTT_HOST", "broker.internal")
    monkeypatch.setenv("SOGOMS_MQTT_PORT", "1884")
    assert load_broker_settings(tmp_path).address == "broker.internal:1884"
