"""sogoms-mailproc's actions: parse, apply_rules, and the bookkeeping sogoms-imap and the admin ask for."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from application.ports.clock import Clock
from domain.errors import BadRequest, FieldError, InvalidInput, NotFound
from domain.mail.inbound_message import secret_address

from .apply import ApplyRules, Delivery
from .ports import InboundApps, InboundStore, MessageParser

MAILPROC_ACTIONS = ("parse", "apply_rules", "settle", "unsettled", "messages", "retry", "address", "health")
MAX_RAW = 12 * 1024 * 1024


def decode_raw(raw: str) -> bytes:
    """The raw message, base64 over the wire (a message is bytes, not text)."""
    if len(raw) > MAX_RAW * 4 // 3 + 4:
        raise InvalidInput([FieldError("raw", f"the message is larger than {MAX_RAW} bytes")])
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput([FieldError("raw", "must be the raw message in base64")]) from None


class MailProcessor:
    def __init__(
        self, apps: InboundApps, parse: MessageParser, apply: ApplyRules, store: InboundStore, clock: Clock
    ) -> None:
        self._apps, self._parse, self._apply, self._store, self._clock = apps, parse, apply, store, clock

    async def parse(self, raw: str, truncated: bool = False) -> dict[str, Any]:
        """Headers, decoded text and HTML, attachments' metadata, authentication results, defects."""
        return self._parse(decode_raw(raw), truncated).summary()

    async def apply_rules(
        self, app_id: str, raw: str, mailbox: str = "", folder: str = "", uid: int = 0, truncated: bool = False
    ) -> dict[str, Any]:
        """Runs the first matching rule once per message; answers what happened (or what had happened)."""
        self._apps.app(app_id)
        if mailbox and mailbox not in self._apps.app(app_id).settings.imap:
            raise NotFound(f"app {app_id!r} has no mailbox {mailbox!r}")
        return await self._apply(Delivery(app_id, decode_raw(raw), mailbox, folder, uid, truncated))

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, message_key: str
    ) -> dict[str, Any]:
        """sogoms-imap is done with this UID (its rule committed, its IMAP actions performed)."""
        self._apps.app(app_id)
        await self._store.settle(app_id, mailbox, folder, uidvalidity, uid, message_key, self._clock.now())
        return {"settled": uid}

    async def unsettled(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]
    ) -> dict[str, Any]:
        self._apps.app(app_id)
        if len(uids) > 100_000:
            raise BadRequest("at most 100000 uids per call")
        return {"uids": await self._store.unsettled(app_id, mailbox, folder, uidvalidity, uids)}

    async def messages(self, app_id: str, limit: int = 50, mailbox: str = "") -> dict[str, Any]:
        """The last messages seen and their outcome, newest first."""
        self._apps.app(app_id)
        return {"messages": [r.as_dict() for r in await self._store.recent(app_id, limit, mailbox)]}

    async def retry(self, app_id: str, id: int) -> dict[str, Any]:
        """A failed message tried once more at the next look at its mailbox."""
        self._apps.app(app_id)
        if not await self._store.reset(app_id, id, self._clock.now()):
            raise NotFound(f"No failed message {id} in {app_id!r}")
        return {"retry": id}

    async def address(self, app_id: str, user_id: str, mailbox: str) -> dict[str, Any]:
        """The user's secret address at this mailbox (it proves the account without any header)."""
        app = self._apps.app(app_id)
        box = app.settings.imap.get(mailbox)
        if box is None:
            raise NotFound(f"app {app_id!r} has no mailbox {mailbox!r}")
        secret = self._apps.address_secret(app_id)
        if secret is None:
            raise NotFound(f"app {app_id!r} does not use secret addresses (senders.secret_address)")
        if "@" not in box.user:
            raise BadRequest(f"mailbox {mailbox!r} logs in as {box.user!r}, which is not an address")
        return {"address": secret_address(secret, app_id, user_id, box.user)}

    async def health(self) -> dict[str, Any]:
        return {"ok": True, "service": "sogoms-mailproc"}
