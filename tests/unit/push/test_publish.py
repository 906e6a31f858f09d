"""The sogoms-push use cases with a fake broker: checks first, then exactly one delivery."""

import pytest

from application.push.publish import PushService
from domain.errors import Forbidden, InvalidInput, Unavailable, UnknownApp
from domain.push import PushSettings
from tests.fakes.push import FakeMessageBroker

APPS = {
    "prokov": PushSettings(enabled=True, topics=("tasks", "projects", "notifications")),
    "koprogo": PushSettings(enabled=False),
    "open": PushSettings(enabled=True),
}


@pytest.fixture
def broker() -> FakeMessageBroker:
    return FakeMessageBroker()


@pytest.fixture
def push(broker) -> PushService:
    return PushService(broker, APPS)


async def test_publish_notify_and_broadcast_deliver_on_the_right_topics(push, broker):
    assert await push.publish("prokov", "prokov/projects/3", {"name": "Roof"}) == {
        "topic": "prokov/projects/3",
        "qos": 1,
        "retain": False,
    }
    await push.notify_user("prokov", 5, "tasks", {"event": "created", "id": 9}, qos=0)
    await push.broadcast("prokov", "notifications", {"text": "maintenance at 22:00"}, retain=True)
    assert [(app, m.topic, m.payload, m.qos, m.retain) for app, m in broker.delivered] == [
        ("prokov", "prokov/projects/3", {"name": "Roof"}, 1, False),
        ("prokov", "prokov/user/5/tasks", {"event": "created", "id": 9}, 0, False),
        ("prokov", "prokov/broadcast/notifications", {"text": "maintenance at 22:00"}, 1, True),
    ]


async def test_topic_injection_is_refused_and_nothing_is_delivered(push, broker):
    for call in (
        push.publish("prokov", "koprogo/user/1/tasks", {}),
        push.publish("prokov", "prokov/user/+/tasks", {}),
        push.notify_user("prokov", "1/../../koprogo", "tasks", {}),
        push.notify_user("prokov", 1, "tasks/#", {}),
        push.broadcast("open", "a//b", {}),
    ):
        with pytest.raises(InvalidInput):
            await call
    assert broker.delivered == []


async def test_channels_outside_the_apps_topics_are_refused(push, broker):
    with pytest.raises(InvalidInput, match="not one of the app's push topics"):
        await push.notify_user("prokov", 1, "tags", {})
    await push.notify_user("open", 1, "tags", {})
    assert [m.topic for _, m in broker.delivered] == ["open/user/1/tags"]


async def test_unknown_or_disabled_apps_are_refused(push, broker):
    with pytest.raises(UnknownApp):
        await push.publish("nope", "nope/x", {})
    with pytest.raises(Forbidden, match=r"push\.enabled"):
        await push.broadcast("koprogo", "news", {})
    assert broker.delivered == []


async def test_a_broker_outage_is_reported_not_hidden(push, broker):
    broker.down = True
    with pytest.raises(Unavailable):
        await push.notify_user("prokov", 1, "tasks", {})
    assert (await push.health())["ok"] is False


async def test_reload_swaps_the_apps(push, broker):
    push.configure({"koprogo": PushSettings(enabled=True)})
    await push.broadcast("koprogo", "news", {"n": 1})
    with pytest.raises(UnknownApp):
        await push.broadcast("prokov", "tasks", {})
    assert [m.topic for _, m in broker.delivered] == ["koprogo/broadcast/news"]
