"""Fixtures of the inbound-mail tests: sogoms-mailproc's use cases in-process on a real database."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers

from adapters.config.apps import YamlAppRepository
from adapters.config.inbound_apps import load_inbound
from entrypoints.cli.secrets_cmd import init_secrets
from entrypoints.mailproc_service.container import MailprocContainer
from tests.fakes.mail import FakeMailer
from tests.fakes.push import FakeResourceEvents
from tests.support.crypt import opened
from tests.support.mail import mail
from tests.support.platform import Platform

__all__ = ["b64", "mail"]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class Mailproc:
    def __init__(
        self, container: MailprocContainer, mailer: FakeMailer, paths: Any, events: FakeResourceEvents
    ) -> None:
        self.container, self.mailer, self.paths, self.events = container, mailer, paths, events
        self.processor = container.processor()
        self.database = container.database()

    async def apply(self, raw: bytes, **kw: Any) -> dict[str, Any]:
        kw.setdefault("mailbox", "tasks")
        return await self.processor.apply_rules("prokov", b64(raw), **kw)

    async def rows(self, sql: str, args: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return await self.database.query("prokov", sql, args or {})

    async def tasks(self, sql: str, args: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of `tasks` (selected with their `id`), its encrypted description decrypted."""
        rows = await self.rows(sql, args)
        return await opened(self.paths.config, self.paths.secrets, "prokov", "tasks", rows)


@pytest.fixture
async def mailproc(platform: Platform) -> AsyncIterator[Mailproc]:
    import argparse

    init_secrets(argparse.Namespace(app=["prokov"]), platform.paths)
    repo = YamlAppRepository(platform.paths.config, platform.paths.secrets)
    loaded = load_inbound(repo, platform.paths.secrets)
    container = MailprocContainer()
    container.config.from_dict(
        {
            "paths": {
                "config": str(platform.paths.config),
                "secrets": str(platform.paths.secrets),
                "logs": str(platform.paths.logs),
            },
            "sockets": {n: str(platform.paths.socket(n)) for n in ("db", "logs", "smtp", "push")},
            "transport": {"db": "inproc", "logs": "inproc", "push": "off"},
            "lease": 120.0,
        }
    )
    mailer = FakeMailer()
    container.mailer.override(providers.Object(mailer))
    events = FakeResourceEvents()  # push off: what the rules' writes tell push is kept here
    container.events.override(providers.Object(events))
    container.apps().use(loaded)
    database = container.database()
    await database.configure({n: a.settings.database for n, a in loaded.apps.items()})
    try:
        yield Mailproc(container, mailer, platform.paths, events)
    finally:
        await database.close()
