"""Re-seal an app's encrypted columns in batches while the API serves: the machinery of key rotation and of turning
`encrypted: true` on for a column that holds plain text.

A value is re-written when it is plain text (encrypted now), pending (its insert never bound it: bound now), or
sealed under a key other than the active one (re-encrypted). Each write is a compare-and-set on the value read, so
a row the API changed meanwhile is left as the API wrote it (under the active key already). The state lives in the
rows themselves: a pass killed at any point loses nothing, and the next pass carries on where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from application.crypt.fields import NoCipher
from application.ports.clock import Pause
from application.ports.crypt import CipherItem, FieldCipher
from application.ports.database import Database
from domain.crypt import Sealed, plain_text
from domain.errors import Unreadable
from domain.identifiers import check_identifier
from domain.schema.model import Schema, Table

from .ports import Keyrings, ResealReport

BATCH = 200
PLAIN = "plain"
PENDING = "pending"


def _ident(*names: str) -> None:
    for n in names:
        check_identifier(n)


class Resealer:
    """Implements Resealing on the Database port and the field cipher."""

    def __init__(
        self,
        database: Database,
        cipher: FieldCipher | None = None,  # None: `status` only (it reads key ids, never opens a value)
        batch: int = BATCH,
        pause: float = 0.0,
        waits: Pause | None = None,
    ) -> None:
        self._db, self._batch = database, batch
        self._cipher: FieldCipher = cipher if cipher is not None else NoCipher()
        self._pause, self._waits = pause, waits  # a pause between batches spares a busy database

    async def status(self, app_id: str, schema: Schema) -> dict[str, Counter[str]]:
        """`table.column` -> stored values per key id (and `plain`, `pending`)."""
        out: dict[str, Counter[str]] = {}
        for table in schema.tables.values():
            if not table.encrypted:
                continue
            for col in table.encrypted:
                out[f"{table.name}.{col}"] = Counter()
            async for rows in self._scan(app_id, table):
                for row in rows:
                    for col in table.encrypted:
                        value = row.get(col)
                        if value is not None:
                            out[f"{table.name}.{col}"][_state(value)] += 1
        return out

    async def _scan(self, app_id: str, table: Table) -> AsyncIterator[list[dict[str, Any]]]:
        pk = table.primary_key
        cols = (pk, *table.encrypted)
        _ident(table.name, *cols)
        after: Any = None
        while True:
            where = f" WHERE {pk} > :_after" if after is not None else ""
            sql = f"SELECT {', '.join(cols)} FROM {table.name}{where} ORDER BY {pk} LIMIT {int(self._batch)}"
            rows = await self._db.query(app_id, sql, {"_after": after} if after is not None else {})
            if not rows:
                return
            yield rows
            after = rows[-1][pk]
            if len(rows) < self._batch:
                return

    async def reseal(self, app_id: str, schema: Schema, active: str) -> ResealReport:
        """One pass over every encrypted column: plain, pending and other-key values re-written under `active`."""
        report = ResealReport()
        for table in schema.tables.values():
            if table.encrypted:
                async for rows in self._scan(app_id, table):
                    await self._batch_rows(app_id, table, rows, active, report)
                    if self._pause and self._waits is not None:
                        await self._waits.sleep(self._pause)
        return report

    async def _batch_rows(
        self, app_id: str, table: Table, rows: list[dict[str, Any]], active: str, report: ResealReport
    ) -> None:
        pk = table.primary_key
        todo: list[tuple[dict[str, Any], str]] = []
        sealed_items: list[CipherItem] = []
        for row in rows:
            for col in table.encrypted:
                value = row.get(col)
                if value is None:
                    continue
                state = _state(value)
                if state == active:
                    continue
                todo.append((row, col))
                if state != PLAIN:
                    sealed_items.append(CipherItem(table.name, col, str(row[pk]), str(value)))
        if not todo:
            return
        opened = await self._cipher.decrypt(app_id, sealed_items) if sealed_items else None
        plains: list[tuple[dict[str, Any], str, str]] = []
        k = 0
        for row, col in todo:
            value = row[col]
            if _state(value) == PLAIN:
                plains.append((row, col, plain_text(table.fields[col].type, value)))
                continue
            assert opened is not None
            text, error = opened.values[k], opened.errors.get(str(k))
            k += 1
            if error is not None or text is None:
                report.unreadable.append(f"{table.name}.{col}#{row[pk]}: {error}")
                continue
            plains.append((row, col, text))
        if not plains:
            return
        items = [CipherItem(table.name, col, str(row[pk]), text) for row, col, text in plains]
        sealed = await self._cipher.encrypt(app_id, items)
        blind_idx = [i for i, (_, col, _) in enumerate(plains) if table.fields[col].blind_index]
        hashes = dict(zip(blind_idx, await self._cipher.hash(app_id, [items[i] for i in blind_idx]), strict=True))
        for i, (row, col, _) in enumerate(plains):
            sets = {col: sealed[i]}
            sibling = table.fields[col].blind_column
            if sibling is not None:
                sets[sibling] = hashes[i]
            _ident(*sets)
            sql = (
                f"UPDATE {table.name} SET {', '.join(f'{c} = :_s_{c}' for c in sets)} "
                f"WHERE {pk} = :_key AND {col} = :_old"
            )
            params = {**{f"_s_{c}": v for c, v in sets.items()}, "_key": row[pk], "_old": row[col]}
            result = await self._db.update(app_id, sql, params)
            if result.affected_rows:
                report.rewritten += 1
            else:
                report.skipped += 1


def _state(value: Any) -> str:
    sealed = Sealed.parse(value)
    if sealed is None:
        return PLAIN
    return PENDING if sealed.pending else sealed.key_id


@dataclass
class RotationReport:
    new_key: str | None
    passes: int
    rewritten: int
    retired: tuple[str, ...]
    remaining: dict[str, int]  # key id -> values still under it (not retired)
    unreadable: list[str]


class RotateKeys:
    """`sogoms crypt rotate APP`: a new active key (unless a rotation is already under way: then it is resumed),
    every value re-sealed under it in batches, and the keys no value uses any more retired."""

    def __init__(self, resealer: Resealer, keyrings: Keyrings, waits: Pause, settle: float = 2.0) -> None:
        self._resealer, self._keyrings, self._waits, self._settle = resealer, keyrings, waits, settle

    async def __call__(self, app_id: str, schema: Schema, *, max_passes: int = 5) -> RotationReport:
        ids = self._keyrings.key_ids(app_id)
        new_key = None
        if len(ids) <= 1:  # nothing under way: start one
            new_key = self._keyrings.add_key(app_id)
            # every process re-reads the keyring within a second: after this, the API encrypts under the new key
            await self._waits.sleep(self._settle)
        active = self._keyrings.active(app_id)
        rewritten, passes, unreadable = 0, 0, []
        remaining: dict[str, int] = {}
        while passes < max_passes:
            passes += 1
            report = await self._resealer.reseal(app_id, schema, active)
            rewritten += report.rewritten
            unreadable = report.unreadable
            remaining = _old_keys(await self._resealer.status(app_id, schema), active)
            if not remaining or (not report.rewritten and not report.skipped):
                break
        unused = tuple(k for k in self._keyrings.key_ids(app_id) if k != active and k not in remaining)
        if unused:
            self._keyrings.retire(app_id, unused)
        if unreadable:
            raise Unreadable(
                f"{len(unreadable)} value(s) cannot be decrypted and were left as they are "
                f"(first: {unreadable[0]}); keys still in use: {', '.join(sorted(remaining)) or 'none'}"
            )
        return RotationReport(new_key, passes, rewritten, unused, remaining, unreadable)


def _old_keys(status: dict[str, Counter[str]], active: str) -> dict[str, int]:
    total: Counter[str] = Counter()
    for counts in status.values():
        total.update({k: v for k, v in counts.items() if k != active})
    return dict(total)
