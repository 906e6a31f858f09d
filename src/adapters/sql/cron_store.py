"""Cron runs and job leases in each app's database (`sogoms_cron_runs`, `sogoms_cron_locks`).

Portable SQL over the Database port, so it works in-process and through sogoms-db alike. A firing is
claimed by inserting its (job, scheduled_for) row: the UNIQUE key lets exactly one instance win. A job's
lease is taken by one conditional UPDATE, which only one instance can win while the lease is valid.
Run times are stored in epoch milliseconds, `scheduled_for` in epoch seconds.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from application.cron.ports import RunRecord
from application.ports.database import Database
from domain.errors import Conflict
from domain.query.statement import Row

MAX_ERROR = 2000
MAX_RESULT = 8000
_COLUMNS = "id, job, kind, status, scheduled_for, claimed_at, finished_at, attempts, duration_ms, error, result, owner"
STALE = 7 * 86400.0  # a run still marked running this long after the history limit is deleted anyway


def _ms(ts: float) -> int:
    return round(ts * 1000)


def _record(row: Row) -> RunRecord:
    result: dict[str, Any] | None = None
    if row.get("result"):
        try:
            decoded = json.loads(row["result"])
            result = decoded if isinstance(decoded, dict) else {"value": decoded}
        except ValueError:
            result = {"text": str(row["result"])}
    return RunRecord(
        id=int(row["id"]),
        job=str(row["job"]),
        kind=str(row["kind"]),
        status=str(row["status"]),
        scheduled_for=float(row["scheduled_for"]) if row["scheduled_for"] is not None else None,
        claimed_at=int(row["claimed_at"]) / 1000,
        finished_at=int(row["finished_at"]) / 1000 if row["finished_at"] is not None else None,
        attempts=int(row["attempts"] or 0),
        duration_ms=int(row["duration_ms"]) if row["duration_ms"] is not None else None,
        error=row["error"],
        result=result,
        owner=str(row["owner"] or ""),
    )


class SqlCronStore:
    """Implements RunStore."""

    def __init__(self, database: Database) -> None:
        self._db = database
        self._locks_made: set[tuple[str, str]] = set()

    async def claim(
        self, app_id: str, job: str, scheduled_for: float | None, kind: str, owner: str, now: float
    ) -> int | None:
        try:
            written = await self._db.insert(
                app_id,
                "INSERT INTO sogoms_cron_runs (job, scheduled_for, kind, status, owner, attempts, claimed_at) "
                "VALUES (:job, :sf, :kind, 'running', :owner, 0, :now)",
                {
                    "job": job,
                    "sf": int(scheduled_for) if scheduled_for is not None else None,
                    "kind": kind,
                    "owner": owner,
                    "now": _ms(now),
                },
            )
        except Conflict:
            return None
        if written.insert_id is None:
            raise Conflict(f"run of {job!r} inserted without an id")
        return int(written.insert_id)

    async def _lock_row(self, app_id: str, job: str) -> None:
        if (app_id, job) in self._locks_made:
            return
        with contextlib.suppress(Conflict):  # another instance created it at the same moment
            await self._db.insert(
                app_id,
                "INSERT INTO sogoms_cron_locks (job, run_id, owner, lease_until) "
                "SELECT :job, NULL, '', 0 WHERE NOT EXISTS (SELECT 1 FROM sogoms_cron_locks WHERE job = :job)",
                {"job": job},
            )
        self._locks_made.add((app_id, job))

    async def acquire(self, app_id: str, job: str, run_id: int, owner: str, now: float, until: float) -> bool:
        await self._lock_row(app_id, job)
        before = await self._db.query_one(
            app_id,
            "SELECT run_id FROM sogoms_cron_locks WHERE job = :job AND lease_until < :now",
            {"job": job, "now": _ms(now)},
        )
        taken = await self._db.update(
            app_id,
            "UPDATE sogoms_cron_locks SET run_id = :run, owner = :owner, lease_until = :until "
            "WHERE job = :job AND lease_until < :now",
            {"run": run_id, "owner": owner, "until": _ms(until), "job": job, "now": _ms(now)},
        )
        if taken.affected_rows != 1:
            return False
        previous = before["run_id"] if before else None
        if previous is not None and int(previous) != run_id:
            await self._db.update(
                app_id,
                "UPDATE sogoms_cron_runs SET status = 'abandoned', error = :error, finished_at = :now "
                "WHERE id = :id AND status = 'running'",
                {"id": int(previous), "now": _ms(now), "error": "its sogoms-cron instance stopped: lease expired"},
            )
        return True

    async def renew(self, app_id: str, job: str, run_id: int, until: float) -> None:
        await self._db.update(
            app_id,
            "UPDATE sogoms_cron_locks SET lease_until = :until WHERE job = :job AND run_id = :run",
            {"until": _ms(until), "job": job, "run": run_id},
        )

    async def release(self, app_id: str, job: str, run_id: int) -> None:
        await self._db.update(
            app_id,
            "UPDATE sogoms_cron_locks SET run_id = NULL, owner = '', lease_until = 0 WHERE job = :job AND run_id = :run",
            {"job": job, "run": run_id},
        )

    async def finish(
        self,
        app_id: str,
        run_id: int,
        status: str,
        *,
        finished_at: float,
        attempts: int,
        duration_ms: int,
        error: str | None = None,
        result: dict[str, Any] | None = None,
    ) -> None:
        text = json.dumps(result, default=str) if result is not None else None
        if text is not None and len(text) > MAX_RESULT:
            text = json.dumps({"truncated": text[:MAX_RESULT]})
        await self._db.update(
            app_id,
            "UPDATE sogoms_cron_runs SET status = :status, finished_at = :at, attempts = :attempts, "
            "duration_ms = :ms, error = :error, result = :result WHERE id = :id",
            {
                "status": status,
                "at": _ms(finished_at),
                "attempts": attempts,
                "ms": duration_ms,
                "error": error[:MAX_ERROR] if error else None,
                "result": text,
                "id": run_id,
            },
        )

    async def get(self, app_id: str, run_id: int) -> RunRecord | None:
        row = await self._db.query_one(
            app_id, f"SELECT {_COLUMNS} FROM sogoms_cron_runs WHERE id = :id", {"id": run_id}
        )
        return _record(row) if row else None

    async def history(self, app_id: str, job: str | None, limit: int) -> list[RunRecord]:
        where = "WHERE job = :job " if job else ""
        rows = await self._db.query(
            app_id,
            f"SELECT {_COLUMNS} FROM sogoms_cron_runs {where}ORDER BY id DESC LIMIT :limit",
            {"job": job, "limit": int(limit)} if job else {"limit": int(limit)},
        )
        return [_record(r) for r in rows]

    async def purge(self, app_id: str, before: float) -> int:
        deleted = await self._db.delete(
            app_id,
            "DELETE FROM sogoms_cron_runs WHERE claimed_at < :before AND (status <> 'running' OR claimed_at < :stale)",
            {"before": _ms(before), "stale": _ms(before - STALE)},
        )
        return deleted.affected_rows
