"""The InboundStore over the Database port: `sogoms_mail_messages` and `sogoms_mail_uids` in each app's database.

Works in-process and through sogoms-db alike. A message is claimed by inserting its (mailbox, key) row or, when
its retry is due or its holder's lease ran out, by a conditional UPDATE: of several processors one gets it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from application.inbound.ports import APPLYING, RETRY, MessageRecord, NewMessage
from application.ports.database import Database
from domain.errors import Conflict
from domain.query.statement import Row

_COLUMNS = (
    "id, mailbox, message_key, message_id, folder, uid, sender, subject, status, rule, step, attempts, "
    "lease_until, next_attempt_at, context, outcome, error, received_at, updated_at"
)
MAX_UIDS = 500


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _load(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _record(row: Row) -> MessageRecord:
    return MessageRecord(
        id=int(row["id"]),
        mailbox=str(row["mailbox"]),
        key=str(row["message_key"]),
        message_id=str(row["message_id"] or ""),
        folder=str(row["folder"] or ""),
        uid=int(row["uid"] or 0),
        sender=str(row["sender"] or ""),
        subject=str(row["subject"] or ""),
        status=str(row["status"]),
        rule=str(row["rule"] or ""),
        step=int(row["step"] or 0),
        attempts=int(row["attempts"] or 0),
        lease_until=int(row["lease_until"] or 0) / 1000,
        next_attempt_at=int(row["next_attempt_at"] or 0) / 1000,
        context=_load(row["context"]),
        outcome=_load(row["outcome"]),
        error=str(row["error"] or ""),
        received_at=int(row["received_at"] or 0) / 1000,
        updated_at=int(row["updated_at"] or 0) / 1000,
    )


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, default=str, separators=(",", ":"))


class SqlInboundStore:
    """Implements InboundStore."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def _get(self, app_id: str, mailbox: str, key: str) -> MessageRecord | None:
        row = await self._db.query_one(
            app_id,
            f"SELECT {_COLUMNS} FROM sogoms_mail_messages WHERE mailbox = :mailbox AND message_key = :key",
            {"mailbox": mailbox, "key": key},
        )
        return _record(row) if row is not None else None

    async def claim(
        self, app_id: str, message: NewMessage, owner: str, now: float, lease_until: float
    ) -> tuple[MessageRecord, bool]:
        args = {
            "mailbox": message.mailbox,
            "key": message.key,
            "message_id": message.message_id[:255],
            "folder": message.folder[:255],
            "uid": message.uid,
            "sender": message.sender[:320],
            "subject": message.subject[:255],
            "status": APPLYING,
            "owner": owner,
            "lease": _ms(lease_until),
            "now": _ms(now),
        }
        try:
            await self._db.insert(
                app_id,
                "INSERT INTO sogoms_mail_messages (mailbox, message_key, message_id, folder, uid, sender, subject, "
                "status, rule, step, attempts, claimed_by, lease_until, next_attempt_at, context, outcome, error, "
                "received_at, updated_at) VALUES (:mailbox, :key, :message_id, :folder, :uid, :sender, :subject, "
                ":status, '', 0, 0, :owner, :lease, 0, '{}', '{}', '', :now, :now)",
                args,
            )
        except Conflict:
            found = await self._get(app_id, message.mailbox, message.key)
            if found is None:  # pragma: no cover - deleted between the two statements
                raise
            taken = await self._db.update(
                app_id,
                "UPDATE sogoms_mail_messages SET status = :status, claimed_by = :owner, lease_until = :lease, "
                "updated_at = :now WHERE id = :id AND ((status = :retry AND next_attempt_at <= :now) OR "
                "(status = :status AND lease_until <= :now))",
                {**args, "id": found.id, "retry": RETRY},
            )
            if taken.affected_rows != 1:
                return found, False
            found.status = APPLYING
            return found, True
        created = await self._get(app_id, message.mailbox, message.key)
        assert created is not None
        return created, True

    async def progress(self, app_id: str, record: MessageRecord, owner: str) -> bool:
        result = await self._db.update(
            app_id,
            "UPDATE sogoms_mail_messages SET step = :step, rule = :rule, context = :context, outcome = :outcome "
            "WHERE id = :id AND claimed_by = :owner AND status = :applying",
            {
                "id": record.id,
                "owner": owner,
                "applying": APPLYING,
                "step": record.step,
                "rule": record.rule[:64],
                "context": _json(record.context),
                "outcome": _json(record.outcome),
            },
        )
        return result.affected_rows == 1

    async def finish(self, app_id: str, record: MessageRecord, owner: str, now: float) -> bool:
        result = await self._db.update(
            app_id,
            "UPDATE sogoms_mail_messages SET status = :status, rule = :rule, step = :step, attempts = :attempts, "
            "next_attempt_at = :next, context = :context, outcome = :outcome, error = :error, claimed_by = '', "
            "lease_until = 0, updated_at = :now WHERE id = :id AND claimed_by = :owner AND status = :applying",
            {
                "id": record.id,
                "owner": owner,
                "applying": APPLYING,
                "status": record.status,
                "rule": record.rule[:64],
                "step": record.step,
                "attempts": record.attempts,
                "next": _ms(record.next_attempt_at),
                "context": _json(record.context),
                "outcome": _json(record.outcome),
                "error": record.error[:2000],
                "now": _ms(now),
            },
        )
        return result.affected_rows == 1

    async def settle(
        self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uid: int, key: str, now: float
    ) -> None:
        with contextlib.suppress(Conflict):  # settled already (a retry after a lost answer)
            await self._db.insert(
                app_id,
                "INSERT INTO sogoms_mail_uids (mailbox, folder, uidvalidity, uid, message_key, settled_at) "
                "VALUES (:mailbox, :folder, :uidvalidity, :uid, :key, :now)",
                {
                    "mailbox": mailbox,
                    "folder": folder,
                    "uidvalidity": uidvalidity,
                    "uid": uid,
                    "key": key,
                    "now": _ms(now),
                },
            )

    async def unsettled(self, app_id: str, mailbox: str, folder: str, uidvalidity: int, uids: list[int]) -> list[int]:
        wanted = sorted({int(u) for u in uids})
        done: set[int] = set()
        for start in range(0, len(wanted), MAX_UIDS):
            chunk = wanted[start : start + MAX_UIDS]
            marks = ", ".join(f":u{i}" for i in range(len(chunk)))
            rows = await self._db.query(
                app_id,
                "SELECT uid FROM sogoms_mail_uids WHERE mailbox = :mailbox AND folder = :folder AND "
                f"uidvalidity = :uidvalidity AND uid IN ({marks})",
                {
                    "mailbox": mailbox,
                    "folder": folder,
                    "uidvalidity": uidvalidity,
                    **{f"u{i}": u for i, u in enumerate(chunk)},
                },
            )
            done.update(int(r["uid"]) for r in rows)
        return [u for u in wanted if u not in done]

    async def recent(self, app_id: str, limit: int, mailbox: str = "") -> list[MessageRecord]:
        where = "WHERE mailbox = :mailbox " if mailbox else ""
        rows = await self._db.query(
            app_id,
            f"SELECT {_COLUMNS} FROM sogoms_mail_messages {where}ORDER BY updated_at DESC, id DESC LIMIT :limit",
            {"mailbox": mailbox, "limit": max(1, min(int(limit), 500))},
        )
        return [_record(r) for r in rows]

    async def reset(self, app_id: str, record_id: int, now: float) -> bool:
        row = await self._db.query_one(
            app_id, "SELECT mailbox, message_key FROM sogoms_mail_messages WHERE id = :id", {"id": record_id}
        )
        if row is None:
            return False
        # a failed message's UIDs were settled (so they are not fetched again and again): forget them
        await self._db.delete(
            app_id,
            "DELETE FROM sogoms_mail_uids WHERE mailbox = :mailbox AND message_key = :key",
            {"mailbox": row["mailbox"], "key": row["message_key"]},
        )
        result = await self._db.update(
            app_id,
            "UPDATE sogoms_mail_messages SET status = :retry, next_attempt_at = 0, attempts = 0, updated_at = :now "
            "WHERE id = :id AND status IN ('failed', 'retry')",
            {"id": record_id, "retry": RETRY, "now": _ms(now)},
        )
        return result.affected_rows == 1
