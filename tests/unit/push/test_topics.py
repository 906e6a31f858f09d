"""Topics always stay under the app's namespace; wildcards, empty levels and control characters are refused."""

import pytest

from domain.errors import InvalidInput
from domain.push import BrokerSettings, PushMessage, PushSettings, app_topic, broadcast_topic, user_topic


def refused(fn, *args) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        fn(*args)
    return info.value


def test_topics_under_the_app_namespace_are_accepted():
    assert app_topic("prokov", "prokov/projects/7") == "prokov/projects/7"
    assert user_topic("prokov", 12, "tasks") == "prokov/user/12/tasks"
    assert user_topic("prokov", "a1b2", "notifications/urgent") == "prokov/user/a1b2/notifications/urgent"
    assert broadcast_topic("prokov", "maintenance") == "prokov/broadcast/maintenance"


@pytest.mark.parametrize(
    "topic",
    [
        "koprogo/user/1/tasks",  # another app
        "prokovx/user/1",  # shares the prefix, not the namespace
        "prokov",  # the namespace itself, no level under it
        "/prokov/x",
        "$SYS/broker/uptime",
        "prokov/#",
        "prokov/+/tasks",
        "prokov/user/1#",
        "prokov//tasks",
        "prokov/tasks/",
        "prokov/ta\x00sks",
        "prokov/ta\nsks",
        "",
    ],
)
def test_publish_outside_or_with_wildcards_is_refused(topic):
    err = refused(app_topic, "prokov", topic)
    assert err.code == "VALIDATION_ERROR"
    assert err.field_errors[0].field == "topic"


@pytest.mark.parametrize("user_id", ["1/../../koprogo", "+", "#", "", "a/b"])
def test_a_user_id_cannot_escape_its_level(user_id):
    assert refused(user_topic, "prokov", user_id, "tasks").field_errors[0].field == "user_id"


@pytest.mark.parametrize("channel", ["", "#", "tasks/+", "tasks//x", "/tasks", "tasks/"])
def test_a_channel_takes_no_wildcard_or_empty_level(channel):
    assert refused(user_topic, "prokov", 1, channel).field_errors[0].field == "channel"
    assert refused(broadcast_topic, "prokov", channel).field_errors[0].field == "channel"


def test_a_topic_over_the_mqtt_limit_is_refused():
    assert "65535" in refused(app_topic, "prokov", "prokov/" + "x" * 65535).message


def test_message_payload_must_be_an_object_and_qos_0_to_2():
    assert PushMessage("prokov/x", {"a": 1}, 2, True).qos == 2
    assert refused(PushMessage, "prokov/x", [1, 2]).field_errors[0].field == "payload"
    assert refused(PushMessage, "prokov/x", {}, 3).field_errors[0].field == "qos"
    assert refused(PushMessage, "prokov/x", {}, True).field_errors[0].field == "qos"


def test_topics_setting_lists_allowed_channels():
    anything = PushSettings(enabled=True)
    some = PushSettings(enabled=True, topics=("tasks", "projects"))
    assert anything.allows("whatever")
    assert some.allows("tasks") and some.allows("tasks/urgent")
    assert not some.allows("tags")
    with pytest.raises(ValueError, match="wildcard"):
        PushSettings(topics=("tasks", "#"))


def test_broker_settings_defaults_and_checks():
    s = BrokerSettings()
    assert (s.address, s.seconds("publish_timeout"), s.seconds("reconnect_min")) == ("127.0.0.1:1883", 5.0, 0.2)
    for bad, match in (
        ({"port": 0}, "port"),
        ({"password_file": "mqtt_pw"}, "username"),
        ({"cert_file": "c.pem"}, "key_file"),
        ({"reconnect_min": "5s", "reconnect_max": "1s"}, "reconnect_max"),
        ({"publish_timeout": "0s"}, "publish_timeout"),
        ({"keepalive": 1}, "keepalive"),
    ):
        with pytest.raises(ValueError, match=match):
            BrokerSettings(**bad)
