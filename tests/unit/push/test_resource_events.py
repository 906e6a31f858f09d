"""CRUD events from the gateway: queued, told to the row's owner, and never in the way of the request."""

import asyncio
import logging

import pytest

from application.push.resource_events import NoResourceEvents, QueuedResourceEvents
from domain.app import App, AppSettings, DatabaseSettings
from domain.errors import Forbidden, Unavailable
from domain.principal import Principal
from domain.push import EventKind, PushSettings
from tests.fakes.push import FakeEventPublisher

ANA = Principal(user_id=1, app="prokov", role="user")
ADMIN = Principal(user_id=3, app="prokov", role="admin")


def app(push: PushSettings) -> App:
    settings = AppSettings(
        app="prokov", hosts=("prokov.localhost",), database=DatabaseSettings(url="sqlite+aiosqlite://"), push=push
    )
    return App(settings=settings, resources={}, auth=None, jwt_secret=b"")


ENABLED = app(PushSettings(enabled=True))


@pytest.fixture
def publisher() -> FakeEventPublisher:
    return FakeEventPublisher()


async def settle(events: QueuedResourceEvents) -> None:
    await asyncio.wait_for(events._queue.join(), 5)


async def test_each_write_is_told_to_its_owner(publisher):
    events = QueuedResourceEvents(publisher)
    events.written(ENABLED, ANA, "projects", EventKind.CREATED, 7, {"id": 7, "user_id": 1, "name": "Roof"})
    events.written(ENABLED, ANA, "projects", EventKind.UPDATED, 7, {"id": 7, "user_id": 1})
    events.written(ENABLED, ANA, "projects", EventKind.DELETED, 7)
    await settle(events)
    assert [(p["user_id"], p["channel"], p["payload"]) for _, p in publisher.calls] == [
        (1, "projects", {"event": "created", "resource": "projects", "id": 7}),
        (1, "projects", {"event": "updated", "resource": "projects", "id": 7}),
        (1, "projects", {"event": "deleted", "resource": "projects", "id": 7}),
    ]
    assert {a for a, _ in publisher.calls} == {"notify_user"}
    assert events.published == 3
    await events.close()


async def test_an_admin_write_on_someone_elses_row_is_told_to_the_row_owner(publisher):
    events = QueuedResourceEvents(publisher)
    events.written(ENABLED, ADMIN, "tasks", EventKind.UPDATED, 4, {"id": 4, "user_id": 2})
    events.written(ENABLED, ADMIN, "tags", EventKind.CREATED, 5, {"id": 5, "name": "no owner column"})
    await settle(events)
    assert [p["user_id"] for _, p in publisher.calls] == [2, 3]
    await events.close()


async def test_nothing_is_published_when_push_is_off_or_the_resource_not_listed(publisher):
    events = QueuedResourceEvents(publisher)
    events.written(app(PushSettings(enabled=False)), ANA, "projects", EventKind.CREATED, 1, {})
    events.written(app(PushSettings(enabled=True, topics=("tasks",))), ANA, "projects", EventKind.CREATED, 1, {})
    events.written(app(PushSettings(enabled=True, topics=("tasks",))), ANA, "tasks", EventKind.CREATED, 2, {})
    await settle(events)
    assert [p["channel"] for _, p in publisher.calls] == ["tasks"]
    NoResourceEvents().written(ENABLED, ANA, "tasks", EventKind.CREATED, 1)  # the 'off' transport: a no-op
    await events.close()


async def test_a_push_outage_is_counted_never_raised(publisher, caplog):
    caplog.set_level(logging.INFO, "sogoms.push")
    events = QueuedResourceEvents(publisher)
    publisher.failure = Unavailable("sogoms-push is unavailable")
    for i in range(5):
        events.written(ENABLED, ANA, "tasks", EventKind.CREATED, i, {})
    await settle(events)
    assert (events.failed, events.published) == (5, 0)
    assert sum("cannot publish CRUD events" in r.message for r in caplog.records) == 1  # once per outage
    publisher.failure = None
    events.written(ENABLED, ANA, "tasks", EventKind.CREATED, 99, {})
    await settle(events)
    assert events.published == 1
    assert any("publishing again" in r.message for r in caplog.records)
    publisher.failure = Forbidden("Push is not enabled for app 'prokov'")
    events.written(ENABLED, ANA, "tasks", EventKind.CREATED, 100, {})
    await settle(events)
    assert events.failed == 6
    await events.close()


async def test_a_full_queue_drops_events_instead_of_waiting(publisher):
    events = QueuedResourceEvents(publisher, max_queue=3)
    for i in range(10):  # no await in between: the workers cannot drain yet
        events.written(ENABLED, ANA, "tasks", EventKind.CREATED, i, {})
    assert (events.pending, events.dropped) == (3, 7)
    await settle(events)
    assert [p["payload"]["id"] for _, p in publisher.calls] == [0, 1, 2]
    await events.close()


async def test_close_lets_queued_events_go_out(publisher):
    events = QueuedResourceEvents(publisher)
    events.written(ENABLED, ANA, "tasks", EventKind.DELETED, 1)
    await events.close()
    assert len(publisher.calls) == 1
