"""The mail stack's configuration (accounts and templates, loaded together, swapped together) and its delivery loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from adapters.smtp.accounts import SmtpAccounts
from adapters.templates.jinja import JinjaTemplates
from application.mail.worker import DeliveryLoop
from domain.app import App, SmtpSettings

log = logging.getLogger("sogoms.mail")


@dataclass(frozen=True, slots=True)
class MailApp:
    """What the mail stack needs of one app: its folder (for `emails/`) and its `smtp:` settings."""

    name: str
    folder: Path
    smtp: SmtpSettings | None

    @classmethod
    def of(cls, app: App) -> MailApp:
        return cls(app.name, Path(app.folder), app.settings.smtp)


class MailRuntime:
    def __init__(self, accounts: SmtpAccounts, templates: JinjaTemplates, delivery: DeliveryLoop) -> None:
        self._accounts, self._templates, self._delivery = accounts, templates, delivery
        self._started = False

    def configure(self, apps: list[MailApp]) -> None:
        """Load every app's account and templates; on a ConfigError nothing changes (the previous set stays)."""
        accounts = self._accounts.load({a.name: a.smtp for a in apps})
        templates = self._templates.load({a.name: a.folder for a in apps})
        self._accounts.use(accounts)
        self._templates.use(templates)
        count = sum(len(self._templates.names(a.name)) for a in apps)
        log.info("mail: %d app(s) can send, %d template(s) loaded", len(self._accounts.apps()), count)
        if self._started:
            self._delivery.sync()

    async def start(self) -> None:
        self._started = True
        await self._delivery.start()

    async def stop(self, drain: float = 10.0) -> None:
        self._started = False
        await self._delivery.stop(drain)
