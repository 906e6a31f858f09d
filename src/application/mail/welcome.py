"""The welcome mail after sign-up: the app's `welcome` template queued to the new user, never failing the sign-up."""

from __future__ import annotations

import logging
from typing import Any, Protocol

from application.ports.logs import LogSink
from domain.app import App

from .ports import Mailer

log = logging.getLogger("sogoms.mail")
WELCOME = "welcome"


class TemplateCatalog(Protocol):
    def has(self, app: App, name: str) -> bool:
        """True when the app ships the template `emails/{name}.yaml`."""
        ...


class WelcomeMail:
    """Implements WelcomeMailer through the Mailer port (sogoms-smtp over IPC, or in-process)."""

    def __init__(self, mailer: Mailer, templates: TemplateCatalog, logs: LogSink) -> None:
        self._mailer, self._templates, self._logs = mailer, templates, logs

    async def welcome(self, app: App, user: dict[str, Any]) -> None:
        if not self._templates.has(app, WELCOME):
            return
        auth = app.auth
        to = str(user.get(auth.login_field if auth else "email") or user.get("email") or "")
        data = dict(user)
        if auth is not None:
            data.setdefault("name", user.get(auth.name_field))
        data.setdefault("app", app.name)
        try:
            queued = await self._mailer.send_template(app.name, WELCOME, to, data)
        except Exception as exc:  # noqa: BLE001 - a mail problem never fails the sign-up
            reason = getattr(exc, "message", None) or type(exc).__name__
            await self._report(app, to, user, reason)
            return
        try:
            await self._logs.log_event(app.name, "welcome_mail_queued", {"to": to, "message_id": queued.message_id})
        except Exception as exc:  # noqa: BLE001
            log.warning("%s: welcome mail queued for %s but not logged: %s", app.name, to, exc)

    async def _report(self, app: App, to: str, user: dict[str, Any], reason: str) -> None:
        data = {"to": to, "user_id": user.get(app.auth.key if app.auth else "id")}
        try:
            await self._logs.log_error(app.name, f"welcome mail not queued: {reason}", "warn", data)
        except Exception as exc:  # noqa: BLE001
            log.warning("%s: welcome mail to %s not queued (%s), and not logged: %s", app.name, to, reason, exc)
