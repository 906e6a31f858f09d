"""Schema-driven field encryption: every write seals a table's `encrypted: true` fields, every read opens them.

The database only ever sees `v1:<key-id>:<base64>` for such a field (and the HMAC of its value in the `_bidx`
sibling when it has `blind_index: true`). A value that does not open (altered, moved to another row, its key
gone) fails the request with UNREADABLE_DATA, logged once with where it is, never with a value.
"""

from __future__ import annotations

from typing import Any

from application.ports.crypt import CipherItem, FieldCipher, Opened
from application.ports.logs import LogSink
from domain.crypt import PENDING, plain_text, plain_value
from domain.errors import BadRequest, ConfigError, InternalError, Unreadable
from domain.query.listing import Condition, typed_value
from domain.query.plan import encrypted_refusal
from domain.query.statement import Row
from domain.schema.model import FieldType, Table

PENDING_PREFIX = PENDING + ":"


class NoCipher:
    """For a process with no field cipher: any encrypted field refuses (never stored in plain text)."""

    async def _refuse(self, *_: Any) -> Any:
        raise ConfigError("field encryption is not configured in this process")

    encrypt = decrypt = hash = _refuse

    async def health(self) -> dict[str, Any]:
        return {"ok": True, "apps": {}}


class FieldSealer:
    """Implements FieldSealing on the field-cipher port."""

    def __init__(self, cipher: FieldCipher | None = None, logs: LogSink | None = None) -> None:
        self._cipher: FieldCipher = cipher if cipher is not None else NoCipher()
        self._logs = logs

    @property
    def cipher(self) -> FieldCipher:
        return self._cipher

    # writes ------------------------------------------------------------------------------------------------
    async def seal(self, app_id: str, table: Table | None, values: dict[str, Any], key: Any) -> dict[str, Any]:
        """`values` as stored: each encrypted field's value sealed (bound to the row `key`, pending when None),
        its blind index in the sibling column. Values of other fields are passed through."""
        if table is None or not table.encrypted:
            return values
        names = [n for n in table.encrypted if n in values]
        if not names:
            return values
        out = dict(values)
        row = "" if key is None else str(key)
        present = [n for n in names if values[n] is not None]
        items = [CipherItem(table.name, n, row, plain_text(table.fields[n].type, values[n])) for n in present]
        if items:
            for name, stored in zip(present, await self._cipher.encrypt(app_id, items), strict=True):
                out[name] = stored
        blind = [(i, n) for i, n in enumerate(present) if table.fields[n].blind_index]
        if blind:
            hashed = await self._cipher.hash(app_id, [items[i] for i, _ in blind])
            for (_, name), index in zip(blind, hashed, strict=True):
                out[table.fields[name].blind_column or ""] = index
        for name in names:
            sibling = table.fields[name].blind_column
            if values[name] is None and sibling is not None:
                out[sibling] = None
        return out

    def needs_binding(self, table: Table | None, values: dict[str, Any]) -> bool:
        """Whether an insert without its row key wrote pending values that must be bound once the key is known."""
        return table is not None and any(values.get(n) is not None for n in table.encrypted)

    async def bound(self, app_id: str, table: Table, values: dict[str, Any], key: Any) -> dict[str, Any]:
        """The encrypted fields of `values` sealed to the row `key` (no blind index: it does not depend on the row)."""
        names = {n: values[n] for n in table.encrypted if values.get(n) is not None}
        sealed = await self.seal(app_id, table, names, key)
        return {n: sealed[n] for n in names}

    async def index(self, app_id: str, table: Table, name: str, value: Any) -> str:
        """The blind index of one plain value of `table.name` (what equality and login compare)."""
        item = CipherItem(table.name, name, "", plain_text(table.fields[name].type, value))
        return (await self._cipher.hash(app_id, [item]))[0]

    # reads -------------------------------------------------------------------------------------------------
    async def open(self, app_id: str, table: Table | None, rows: list[Row], key_column: str | None = None) -> None:
        """Decrypt, in place, the encrypted fields present in `rows` (each bound to its row's key)."""
        if table is None or not table.encrypted or not rows:
            return
        names = [n for n in table.encrypted if any(n in r for r in rows)]
        if not names:
            return
        pk = key_column or table.primary_key
        items: list[CipherItem] = []
        where: list[tuple[Row, str]] = []
        for r in rows:
            for n in names:
                v = r.get(n)
                if v is None:
                    continue
                if pk not in r:
                    raise InternalError(f"{table.name}.{n} is read without its row key {pk}, so it cannot be decrypted")
                items.append(CipherItem(table.name, n, str(r[pk]), v if isinstance(v, str) else str(v)))
                where.append((r, n))
        if not items:
            return
        opened = await self._cipher.decrypt(app_id, items)
        problems = _pending(items, opened)
        if problems:
            await self._unreadable(app_id, items, problems)
        for (r, n), text in zip(where, opened.values, strict=True):
            r[n] = plain_value(table.fields[n].type, text or "")

    async def _unreadable(self, app_id: str, items: list[CipherItem], problems: dict[int, str]) -> None:
        first = min(problems)
        it = items[first]
        where = [{"table": items[i].table, "column": items[i].column, "row": items[i].row} for i in sorted(problems)]
        if self._logs is not None:
            await self._logs.log_error(
                app_id,
                f"{len(problems)} encrypted value(s) cannot be decrypted: {problems[first]}",
                data={"code": Unreadable.code, "values": where[:20]},
            )
        raise Unreadable(
            f"{it.table}.{it.column} of row {it.row} cannot be decrypted ({problems[first]})"
            + (f", and {len(problems) - 1} more" if len(problems) > 1 else "")
        )

    # list parameters ---------------------------------------------------------------------------------------
    async def conditions(self, app_id: str, table: Table, conditions: tuple[Condition, ...]) -> tuple[Condition, ...]:
        """`field=value` on a blind-indexed field becomes equality on its index; any other filter on an encrypted
        field is refused (400) by the plan. A client naming a `_bidx` column itself is refused here."""
        if not table.encrypted or not conditions:
            return conditions
        siblings = table.blind_columns()
        out: list[Condition] = []
        for c in conditions:
            if c.field in siblings:
                raise BadRequest(f"Unknown field '{c.field}' on '{table.name}'")
            f = table.fields.get(c.field)
            if f is not None and f.encrypted and c.op == "eq" and f.blind_index and f.blind_column:
                value = c.value if f.type is FieldType.JSON else typed_value(f.type.value, c.field, c.value)
                out.append(Condition(f.blind_column, "eq", await self.index(app_id, table, c.field, value)))
            elif f is not None and f.encrypted and c.op != "null":
                raise BadRequest(encrypted_refusal(c.field, c.op, f.blind_index))
            else:
                out.append(c)
        return tuple(out)


def _pending(items: list[CipherItem], opened: Opened) -> dict[int, str]:
    """Indexes of values that did not open, with why; a pending value (its insert never bound it) is one."""
    problems = {int(i): reason for i, reason in opened.errors.items()} if opened.errors else {}
    for i, it in enumerate(items):
        if it.value.startswith(PENDING_PREFIX) and i not in problems:
            problems[i] = "the value was never bound to its row (its write did not finish)"
    return problems
