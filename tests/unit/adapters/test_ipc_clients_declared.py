"""Each IPC client adapter calls only actions its service declares (the one list, beside the service's use cases,
that the server side also serves with `actions_of`): a method named after an action nobody serves fails here."""

from __future__ import annotations

import inspect

import pytest

from adapters.ipc.crypt import IpcCipher
from adapters.ipc.database import IpcDatabase
from adapters.ipc.logs import IpcLogSink
from adapters.ipc.mail import IpcMailer
from adapters.ipc.mailproc import IpcMailProcessing
from adapters.ipc.push import IpcPublisher
from application.crypt.actions import CRYPT_ACTIONS
from application.inbound.service import MAILPROC_ACTIONS
from application.mail.ports import MAIL_ACTIONS
from application.ports.database import DATABASE_ACTIONS
from application.ports.logs import LOG_ACTIONS
from application.push.publish import PUSH_ACTIONS

CLIENTS: list[tuple[type, tuple[str, ...]]] = [
    (IpcDatabase, DATABASE_ACTIONS),
    (IpcLogSink, LOG_ACTIONS),
    (IpcPublisher, PUSH_ACTIONS),
    (IpcCipher, CRYPT_ACTIONS),
    (IpcMailer, MAIL_ACTIONS),
    (IpcMailProcessing, MAILPROC_ACTIONS),
]


def called_actions(client: type) -> set[str]:
    """The client's public coroutine methods, each named after the action it calls (`close` is the client's own)."""
    return {
        name
        for name, fn in inspect.getmembers(client, inspect.iscoroutinefunction)
        if not name.startswith("_") and name != "close"
    }


@pytest.mark.parametrize(("client", "declared"), CLIENTS, ids=lambda v: getattr(v, "__name__", ""))
def test_a_client_calls_only_declared_actions(client: type, declared: tuple[str, ...]) -> None:
    assert called_actions(client) <= set(declared)


@pytest.mark.parametrize(
    ("client", "declared"),
    [(IpcDatabase, DATABASE_ACTIONS), (IpcLogSink, LOG_ACTIONS), (IpcPublisher, PUSH_ACTIONS)],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_the_port_clients_cover_their_service(client: type, declared: tuple[str, ...]) -> None:
    """The Database, LogSink and EventPublisher clients stand for their whole service: every action has a method."""
    assert called_actions(client) == set(declared)
