"""The actions of a mail rule: each one through the same use case or service as the rest of the platform."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from application.cron.ports import HttpClient
from application.crud.commands import CreateResource, ListResource
from application.crud.resources import Resources
from application.mail.ports import Mailer
from application.ports.clock import Pause
from domain.app import App
from domain.durations import parse_duration
from domain.errors import DomainError, NotFound, Unavailable
from domain.mail.inbound import Action, CreateAction, FindAction, ReplyAction, WebhookAction
from domain.principal import Principal
from domain.query.listing import parse_list_params

from .ports import InboundApps, ValueRenderer


class ActionFailed(DomainError):
    code = "RULE_FAILED"
    default_message = "A rule action failed"


class RuleActions:
    def __init__(
        self,
        resources: Resources,
        mailer: Mailer | None,
        http: HttpClient | None,
        values: ValueRenderer,
        apps: InboundApps,
        pause: Pause,
        retry_pause: float = 0.5,
    ) -> None:
        self._resources, self._mailer, self._http = resources, mailer, http
        self._values, self._apps, self._pause, self._retry_pause = values, apps, pause, retry_pause

    async def run(
        self, app: App, action: Action, principal: Principal | None, context: dict[str, Any], request_id: str
    ) -> dict[str, Any]:
        """What the action did (kept in the message's outcome); raises on failure."""
        if action.find is not None:
            assert principal is not None
            return await self._find(app, action.find, principal, context)
        if action.create is not None:
            assert principal is not None
            return await self._create(app, action.create, principal, context, request_id)
        if action.reply is not None:
            return await self._reply(app, action.reply, context, request_id)
        if action.webhook is not None:
            return await self._webhook(app, action.webhook, context, request_id)
        if action.move is not None:
            return {"imap": "move", "folder": self._values.render(action.move, context)}
        if action.delete:
            return {"imap": "delete"}
        if action.mark_read:
            return {"imap": "mark_read"}
        return {"skipped": action.kind}

    async def _find(self, app: App, find: FindAction, principal: Principal, context: dict[str, Any]) -> dict[str, Any]:
        items = [("limit", "1")]
        if find.sort:
            items.append(("sort", find.sort))
        for key, value in find.where.items():
            items.append((key, str(self._values.render(value, context))))
        page = await self._resources.page(ListResource(app, principal, find.resource, parse_list_params(items)))
        row = page.rows[0] if page.rows else None
        if row is None and find.required:
            raise ActionFailed(f"find {find.resource}: the sender has no {find.resource} (required)")
        context[find.name] = row
        return {"found": find.resource, "id": (row or {}).get("id")}

    async def _create(
        self, app: App, create: CreateAction, principal: Principal, context: dict[str, Any], request_id: str
    ) -> dict[str, Any]:
        body = self._values.render(dict(create.values), context)
        key, row = await self._resources.create(CreateResource(app, principal, create.resource, body, request_id))
        context[create.as_ or create.resource.rstrip("s") or create.resource] = {"id": key, **row}
        return {"created": create.resource, "id": key}

    async def _reply(self, app: App, reply: ReplyAction, context: dict[str, Any], request_id: str) -> dict[str, Any]:
        message = context["message"]
        to = message["from"]
        if not to or message["auto_submitted"]:
            return {"reply": "skipped", "reason": "automatic mail or no sender address: never answered"}
        if self._mailer is None:
            raise Unavailable("no mail service to send the reply")
        shown = {k: v for k, v in context.items() if k not in ("message", "text")}
        data = {**shown, "from": to, **self._values.render(dict(reply.data), context)}
        subject = str(self._values.render(reply.subject, context)) if reply.subject else ""
        queued = await self._mailer.send_template(app.name, reply.template, to, _plain(data), subject)
        return {"replied": queued.message_id, "to": to}

    async def _webhook(self, app: App, hook: WebhookAction, context: dict[str, Any], request_id: str) -> dict[str, Any]:
        if self._http is None:
            raise Unavailable("no HTTP client for webhooks")
        payload = {"app": app.name, "delivery": request_id, **_plain(context)}
        body = json.dumps(payload, default=str, separators=(",", ":"))
        headers = {"Content-Type": "application/json", "X-Sogoms-Delivery": request_id}
        if hook.secret_file:
            secret = self._apps.webhook_secret(app.name, hook.secret_file)
            headers["X-Sogoms-Signature"] = "sha256=" + hmac.new(secret, body.encode(), hashlib.sha256).hexdigest()
        last = ""
        for attempt in range(hook.retries + 1):
            if attempt:
                await self._pause.sleep(self._retry_pause * (2 ** (attempt - 1)))
            try:
                response = await self._http.request(
                    "POST",
                    hook.url,
                    headers=headers,
                    body=body,
                    timeout=parse_duration(hook.timeout),
                    allow_private=hook.allow_private,
                )
            except Exception as exc:  # noqa: BLE001 - the job client's failures carry their reason
                last = getattr(exc, "message", None) or str(exc)
                if getattr(exc, "retryable", True) is False:
                    break
                continue
            if 200 <= response.status < 300:
                return {"webhook": hook.url, "status": response.status}
            last = f"{hook.url} answered {response.status}"
            if 400 <= response.status < 500 and response.status not in (408, 429):
                break
        raise ActionFailed(f"webhook: {last}")


def _plain(value: Any) -> Any:
    """JSON-safe copy of the template data (dates as text)."""
    return json.loads(json.dumps(value, default=str))


__all__ = ["ActionFailed", "NotFound", "RuleActions"]
