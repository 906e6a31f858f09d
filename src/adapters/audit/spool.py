"""The audit trail whose entries outlive a failing log store: a write's answer never depends on its audit line.

`record` writes the entry to the audit log (sogoms-logs, or the files). If the log store cannot take it (disk
full, read-only, sogoms-logs failing), the entry goes into `sogoms_audit_spool` in the app's own database, the
database that has just committed the write, and `ship()` (every few seconds in each gateway worker) moves spooled
entries to the audit log once it writes again, oldest first, each claimed by one worker so none is written twice.
Only if the database cannot take it either is the entry written whole to the service's own log (and counted):
the write has committed either way, so the client is told so.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from typing import Any

import msgspec

from application.ports.audit import AuditEntry
from application.ports.database import Database
from application.ports.logs import LogSink

from .log_audit import audit_data

log = logging.getLogger("sogoms.audit")
CLAIM_TIMEOUT = 60  # seconds: a claim older than this (its worker died mid-ship) is taken over
SHIP_BATCH = 200
SHIP_EVERY = 5.0


class SpoolingAuditTrail:
    """Implements AuditTrail over a LogSink that raises when it cannot write, spooling into the app's database."""

    def __init__(self, logs: LogSink, database: Database) -> None:
        self._logs, self._db = logs, database
        self._owner = uuid.uuid4().hex[:16]
        self._apps: set[str] = set()  # apps whose spool may hold entries (shipped by ship())
        self.spooled = 0
        self.lost = 0
        self.shipped = 0
        self.last_error = ""
        self._failing = False  # the last entry could not be logged (spooled or lost)

    async def record(self, entry: AuditEntry) -> None:
        event, data = f"{entry.resource}.{entry.action}", audit_data(entry)
        try:
            await self._logs.log_event(entry.app, event, data, type="audit")
            self._failing = False
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the write has committed: its audit entry is kept another way
            self.last_error = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self._failing = True
        payload = msgspec.json.encode({"event": event, "data": data, "at": time.time()}).decode()
        try:
            await self._db.insert(
                entry.app,
                "INSERT INTO sogoms_audit_spool (entry, created_at, claimed_by, claimed_at) VALUES (:e, :t, '', 0)",
                {"e": payload, "t": int(time.time())},
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            self.lost += 1
            log.error("audit entry of %s neither logged nor spooled (%s): %s", entry.app, exc, payload)
            return
        self.spooled += 1
        self._apps.add(entry.app)
        log.warning("audit log unwritable (%s): entry of %s kept in sogoms_audit_spool", self.last_error, entry.app)

    def watch(self, apps: list[str]) -> None:
        """Apps whose spool to ship (at start: entries another process left there)."""
        self._apps.update(apps)

    async def ship(self) -> int:
        """Move spooled entries to the audit log while it writes; how many were shipped."""
        shipped = 0
        for app in sorted(self._apps):
            try:
                n, empty = await self._ship_app(app)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the log store or the database still failing: next time
                log.debug("audit spool of %s not shipped yet: %s", app, exc)
                continue
            shipped += n
            if empty:
                self._apps.discard(app)
        self.shipped += shipped
        if not self._apps:  # every spool empty (shipped by this worker or another): the audit log writes again
            self._failing = False
        return shipped

    async def _ship_app(self, app: str) -> tuple[int, bool]:
        now = int(time.time())
        rows = await self._db.query(
            app,
            "SELECT id, entry FROM sogoms_audit_spool WHERE claimed_by = '' OR claimed_at < :stale "
            f"ORDER BY id LIMIT {SHIP_BATCH}",
            {"stale": now - CLAIM_TIMEOUT},
        )
        shipped = 0
        for row in rows:
            claimed = await self._db.update(
                app,
                "UPDATE sogoms_audit_spool SET claimed_by = :me, claimed_at = :now "
                "WHERE id = :id AND (claimed_by = '' OR claimed_at < :stale)",
                {"me": self._owner, "now": now, "id": row["id"], "stale": now - CLAIM_TIMEOUT},
            )
            if claimed.affected_rows != 1:
                continue  # another worker has it
            spooled = msgspec.json.decode(str(row["entry"]))
            data = {**spooled["data"], "spooled_at": spooled.get("at")}
            try:
                await self._logs.log_event(app, spooled["event"], data, type="audit")
            except BaseException:
                await self._db.update(
                    app, "UPDATE sogoms_audit_spool SET claimed_by = '' WHERE id = :id", {"id": row["id"]}
                )
                raise
            await self._db.delete(app, "DELETE FROM sogoms_audit_spool WHERE id = :id", {"id": row["id"]})
            shipped += 1
        if shipped:
            log.info("audit spool of %s: %d entries shipped to the audit log", app, shipped)
        return shipped, len(rows) < SHIP_BATCH and shipped == len(rows)

    async def pending(self, app: str) -> int:
        row = await self._db.query_one(app, "SELECT COUNT(*) AS n FROM sogoms_audit_spool", {})
        return int(row["n"]) if row else 0

    def health(self) -> dict[str, Any]:
        """ok: false while entries cannot be logged (they are spooled) or once one was lost."""
        return {
            "ok": self.lost == 0 and not self._failing,
            "spooled": self.spooled,
            "shipped": self.shipped,
            "lost": self.lost,
            "apps_with_spooled_entries": sorted(self._apps),
            **({"last_error": self.last_error} if self.last_error else {}),
            **({"error": f"audit log unwritable, entries spooled: {self.last_error}"} if self._failing else {}),
        }

    async def keep_shipping(self, every: float = SHIP_EVERY) -> None:
        """Runs until cancelled."""
        while True:
            await asyncio.sleep(every)
            if self._apps:
                await self.ship()
