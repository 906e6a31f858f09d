"""Real-time push: MQTT broker settings, and topics that always stay under their app's namespace `{app}/...`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from domain.durations import parse_duration
from domain.errors import InvalidInput, field_error

MAX_TOPIC_BYTES = 65535  # the MQTT limit on a topic name
QOS_LEVELS = (0, 1, 2)


@dataclass(frozen=True, slots=True)
class BrokerSettings:
    """Where and how to reach the MQTT broker (`config/push.yaml`, or an app's `push.broker`)."""

    host: str = "127.0.0.1"
    port: int = 1883
    username: str = ""
    password_file: str = ""  # relative to SOGOMS_SECRETS_DIR
    tls: bool = False
    ca_file: str = ""  # CA bundle to verify the broker; the system's when empty
    cert_file: str = ""  # client certificate (mutual TLS), with key_file
    key_file: str = ""
    client_id: str = ""  # empty: sogoms-push-{hostname}-{pid}, unique per process
    keepalive: int = 60
    connect_timeout: str = "5s"
    publish_timeout: str = "5s"  # how long a publish waits for the broker's acknowledgement
    reconnect_min: str = "0.2s"
    reconnect_max: str = "10s"

    def __post_init__(self) -> None:
        if not self.host:
            raise ValueError("host must not be empty")
        if not 0 < self.port < 65536:
            raise ValueError("port must be between 1 and 65535")
        if self.keepalive < 5:
            raise ValueError("keepalive must be at least 5 (seconds)")
        if self.password_file and not self.username:
            raise ValueError("password_file needs a username")
        if bool(self.cert_file) != bool(self.key_file):
            raise ValueError("cert_file and key_file go together")
        for name in ("connect_timeout", "publish_timeout", "reconnect_min", "reconnect_max"):
            if parse_duration(getattr(self, name)) <= 0:
                raise ValueError(f"{name} must be more than 0")
        if parse_duration(self.reconnect_max) < parse_duration(self.reconnect_min):
            raise ValueError("reconnect_max must be at least reconnect_min")

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def seconds(self, name: str) -> float:
        """One of the duration settings, in seconds."""
        return parse_duration(getattr(self, name))


@dataclass(frozen=True, slots=True)
class PushSettings:
    """An app's `push:` section."""

    enabled: bool = False
    topics: tuple[str, ...] = ()  # channels allowed for notify_user/broadcast and CRUD events; empty: any
    broker: BrokerSettings | None = None  # this app's own broker instead of the one in config/push.yaml

    def __post_init__(self) -> None:
        for topic in self.topics:
            try:
                check_level(topic, "topics")
            except InvalidInput as exc:  # config errors surface as ValueError (named by the config loader)
                raise ValueError(exc.message) from None

    def allows(self, channel: str) -> bool:
        """Whether `channel` (its first level) is one of `topics`, or `topics` is empty."""
        return not self.topics or channel.split("/", 1)[0] in self.topics


class EventKind(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


def _bad_char(text: str) -> str | None:
    for ch in text:
        if ch in "+#":
            return f"wildcard {ch!r}"
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            return f"control character U+{ord(ch):04X}"
    return None


def check_level(value: str, what: str) -> str:
    """`value` as one topic level: not empty, no '/', no wildcard, no control character."""
    if not value:
        raise field_error(what, "must not be empty")
    if "/" in value:
        raise field_error(what, f"{value!r} must be a single topic level (no '/')")
    bad = _bad_char(value)
    if bad:
        raise field_error(what, f"{value!r} contains a {bad}; MQTT publish topics take no wildcards")
    return value


def check_path(value: str, what: str) -> str:
    """`value` as one or more topic levels separated by '/', each checked as by `check_level`."""
    if not value:
        raise field_error(what, "must not be empty")
    for level in value.split("/"):
        if not level:
            raise field_error(what, f"{value!r} has an empty level (leading, trailing or double '/')")
        check_level(level, what)
    if len(value.encode()) > MAX_TOPIC_BYTES:
        raise field_error(what, f"is longer than {MAX_TOPIC_BYTES} bytes")
    return value


def app_topic(app: str, topic: str) -> str:
    """`topic` if it lies under `{app}/`; VALIDATION_ERROR on anything outside it, wildcards or empty levels."""
    if not isinstance(topic, str) or not topic.startswith(f"{app}/"):
        raise field_error("topic", f"must start with '{app}/' (the app's namespace), got {topic!r}")
    return check_path(topic, "topic")


def user_topic(app: str, user_id: int | str, channel: str) -> str:
    """`{app}/user/{user_id}/{channel}`: what one user's clients subscribe to."""
    check_level(str(user_id), "user_id")
    check_path(channel, "channel")
    return check_path(f"{app}/user/{user_id}/{channel}", "topic")


def broadcast_topic(app: str, channel: str) -> str:
    """`{app}/broadcast/{channel}`: what every user of the app subscribes to."""
    check_path(channel, "channel")
    return check_path(f"{app}/broadcast/{channel}", "topic")


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One message to publish: a checked topic, a JSON object, its QoS and retain flag."""

    topic: str
    payload: dict[str, Any]
    qos: int = 1
    retain: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.payload, dict):
            raise field_error("payload", "must be a JSON object")
        if isinstance(self.qos, bool) or self.qos not in QOS_LEVELS:
            raise field_error("qos", f"must be 0, 1 or 2, got {self.qos!r}")


@dataclass(frozen=True, slots=True)
class ResourceEvent:
    """A successful write through the gateway, told to the row's owner on `{app}/user/{owner}/{resource}`."""

    app: str
    owner: int | str
    resource: str
    kind: EventKind
    key: Any

    @property
    def payload(self) -> dict[str, Any]:
        return {"event": self.kind.value, "resource": self.resource, "id": self.key}
