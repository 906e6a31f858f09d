"""The mail outbox in each app's own database (`sogoms_outbox`), as portable SQL over the Database port.

Works in-process and through sogoms-db alike. A message is claimed with a conditional UPDATE, so of
several senders (processes, hosts) exactly one gets it; times are stored in epoch milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from application.ports.database import Database
from domain.mail.outbound import OutboxMessage, OutboxState
from domain.query.statement import Row

_INSERT_COLUMNS = (
    "message_id",
    "recipient",
    "reply_to",
    "subject",
    "body",
    "body_html",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "claimed_by",
    "created_at",
)
_SELECT = (
    "SELECT id, message_id, recipient, reply_to, subject, body, body_html, status, attempts, next_attempt_at, "
    "last_error, created_at, sent_at FROM sogoms_outbox"
)
CHUNK_ROWS = 100
CHUNK_BYTES = 4 * 1024 * 1024


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _seconds(ms: Any) -> float:
    return int(ms) / 1000.0


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=int(row["id"]),
        message_id=str(row["message_id"]),
        recipient=str(row["recipient"]),
        reply_to=str(row["reply_to"] or ""),
        subject=str(row["subject"]),
        body=str(row["body"] or ""),
        body_html=str(row["body_html"] or ""),
        status=OutboxState(str(row["status"])),
        attempts=int(row["attempts"]),
        next_attempt_at=_seconds(row["next_attempt_at"]),
        last_error=str(row["last_error"] or ""),
        created_at=_seconds(row["created_at"]),
        sent_at=_seconds(row["sent_at"]) if row["sent_at"] is not None else None,
    )


def _chunks(messages: list[OutboxMessage]) -> Iterator[list[OutboxMessage]]:
    chunk: list[OutboxMessage] = []
    size = 0
    for m in messages:
        weight = len(m.body) + len(m.body_html) + len(m.subject) + 512
        if chunk and (len(chunk) >= CHUNK_ROWS or size + weight > CHUNK_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(m)
        size += weight
    if chunk:
        yield chunk


class SqlOutbox:
    """Implements Outbox."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def add(self, app_id: str, messages: list[OutboxMessage]) -> None:
        columns = ", ".join(_INSERT_COLUMNS)
        for chunk in _chunks(messages):
            rows: list[str] = []
            args: dict[str, Any] = {}
            for i, m in enumerate(chunk):
                rows.append("(" + ", ".join(f":{c}_{i}" for c in _INSERT_COLUMNS) + ")")
                values = {
                    "message_id": m.message_id,
                    "recipient": m.recipient,
                    "reply_to": m.reply_to,
                    "subject": m.subject,
                    "body": m.body,
                    "body_html": m.body_html,
                    "status": OutboxState.QUEUED.value,
                    "attempts": 0,
                    "next_attempt_at": _ms(m.next_attempt_at),
                    "last_error": "",
                    "claimed_by": "",
                    "created_at": _ms(m.created_at),
                }
                args.update({f"{k}_{i}": v for k, v in values.items()})
            await self._db.insert(app_id, f"INSERT INTO sogoms_outbox ({columns}) VALUES {', '.join(rows)}", args)

    async def due(self, app_id: str, now: float, limit: int) -> list[OutboxMessage]:
        rows = await self._db.query(
            app_id,
            f"{_SELECT} WHERE status = 'queued' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit",
            {"now": _ms(now), "limit": int(limit)},
        )
        return [_message(r) for r in rows]

    async def claim(self, app_id: str, message_id: int, claimant: str, now: float, lease_until: float) -> bool:
        result = await self._db.update(
            app_id,
            "UPDATE sogoms_outbox SET status = 'sending', attempts = attempts + 1, claimed_by = :claimant, "
            "next_attempt_at = :lease WHERE id = :id AND status = 'queued' AND next_attempt_at <= :now",
            {"id": message_id, "claimant": claimant, "lease": _ms(lease_until), "now": _ms(now)},
        )
        return result.affected_rows == 1

    async def _settle(
        self, app_id: str, message_id: int, claimant: str, assignments: str, args: dict[str, Any]
    ) -> bool:
        result = await self._db.update(
            app_id,
            f"UPDATE sogoms_outbox SET {assignments} WHERE id = :id AND claimed_by = :claimant AND status = 'sending'",
            {"id": message_id, "claimant": claimant, **args},
        )
        return result.affected_rows == 1

    async def mark_sent(self, app_id: str, message_id: int, claimant: str, now: float) -> bool:
        return await self._settle(app_id, message_id, claimant, "status = 'sent', sent_at = :now", {"now": _ms(now)})

    async def reschedule(
        self, app_id: str, message_id: int, claimant: str, at: float, error: str, count_attempt: bool = True
    ) -> bool:
        return await self._settle(
            app_id,
            message_id,
            claimant,
            "status = 'queued', next_attempt_at = :at, last_error = :error, attempts = attempts - :undo",
            {"at": _ms(at), "error": error, "undo": 0 if count_attempt else 1},
        )

    async def mark_failed(self, app_id: str, message_id: int, claimant: str, now: float, error: str) -> bool:
        return await self._settle(
            app_id,
            message_id,
            claimant,
            "status = 'failed', next_attempt_at = :now, last_error = :error",
            {"now": _ms(now), "error": error},
        )

    async def release_expired(self, app_id: str, now: float, max_attempts: int) -> int:
        args = {"now": _ms(now), "max": max_attempts}
        # checked with a read first: an idle delivery loop then writes nothing to the database
        stale = await self._db.query_one(
            app_id,
            "SELECT COUNT(*) AS n FROM sogoms_outbox WHERE status = 'sending' AND next_attempt_at <= :now",
            {"now": args["now"]},
        )
        if not stale or not int(stale["n"]):
            return 0
        failed = await self._db.update(
            app_id,
            "UPDATE sogoms_outbox SET status = 'failed', last_error = :error "
            "WHERE status = 'sending' AND next_attempt_at <= :now AND attempts >= :max",
            {**args, "error": f"delivery interrupted (sender stopped) after {max_attempts} attempts"},
        )
        queued = await self._db.update(
            app_id,
            "UPDATE sogoms_outbox SET status = 'queued', last_error = :error "
            "WHERE status = 'sending' AND next_attempt_at <= :now",
            {"now": args["now"], "error": "delivery interrupted (sender stopped); queued again"},
        )
        return failed.affected_rows + queued.affected_rows

    async def get(self, app_id: str, message_id: str) -> OutboxMessage | None:
        row = await self._db.query_one(app_id, f"{_SELECT} WHERE message_id = :mid", {"mid": message_id})
        return _message(row) if row is not None else None

    async def depth(self, app_id: str) -> dict[str, int]:
        rows = await self._db.query(app_id, "SELECT status, COUNT(*) AS n FROM sogoms_outbox GROUP BY status", {})
        counts = {state.value: 0 for state in OutboxState}
        counts.update({str(r["status"]): int(r["n"]) for r in rows})
        return counts

    async def purge(self, app_id: str, before: float) -> int:
        result = await self._db.delete(
            app_id,
            "DELETE FROM sogoms_outbox WHERE status IN ('sent', 'failed') AND created_at < :before",
            {"before": _ms(before)},
        )
        return result.affected_rows
