"""Field encryption's stored form and what each value is bound to (pure: no key, no cipher here).

A stored value is `v1:<key-id>:<base64 of nonce + ciphertext + tag>`. Its associated data binds it to
one app, table, column and row key, so a value copied to another row, column or app does not decrypt.
A row whose key the database has not given yet (an auto-increment insert) is first written `v1p:...`
(pending: bound to app, table and column only), then bound to its key by the same write path; normal
reads never accept a pending value as the row's own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from domain.identifiers import check_identifier
from domain.query.statement import Statement
from domain.schema.model import FieldType, Table

BOUND = "v1"
PENDING = "v1p"
KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MASK = "[encrypted]"
_TEXTUAL = (FieldType.STRING, FieldType.TEXT, FieldType.DATE, FieldType.DATETIME)


@dataclass(frozen=True, slots=True)
class Sealed:
    """One stored ciphertext, parsed."""

    key_id: str
    payload: str
    pending: bool = False

    @staticmethod
    def parse(value: Any) -> Sealed | None:
        """The sealed form of a stored value, or None when it is not one (plain text, NULL, a number)."""
        if not isinstance(value, str) or not value.startswith("v1"):
            return None
        version, sep, rest = value.partition(":")
        if not sep or version not in (BOUND, PENDING):
            return None
        key_id, sep, payload = rest.partition(":")
        if not sep or not payload or not KEY_ID.match(key_id):
            return None
        return Sealed(key_id, payload, version == PENDING)

    def text(self) -> str:
        return f"{PENDING if self.pending else BOUND}:{self.key_id}:{self.payload}"


def _pieces(*parts: str) -> bytes:
    """Length-prefixed, so no two different tuples give the same bytes."""
    return b"".join(b"%d:%s" % (len(b), b) for b in [p.encode() for p in parts])


@lru_cache(maxsize=4096)
def _bound_prefix(app: str, table: str, column: str) -> bytes:
    return b"sogoms-field\x00" + _pieces(app, table, column)


def associated_data(app: str, table: str, column: str, row: str, *, pending: bool = False) -> bytes:
    """What a ciphertext is bound to: app, table, column and row key (none yet while pending)."""
    if pending:
        return b"sogoms-field-pending\x00" + _pieces(app, table, column)
    return _bound_prefix(app, table, column) + _pieces(row)


def blind_input(app: str, table: str, column: str, plain: str) -> bytes:
    """What the blind index's HMAC reads: the same value in two columns gives two unrelated indexes."""
    return b"sogoms-blind\x00" + _pieces(app, table, column, plain)


def plain_text(field_type: FieldType, value: Any) -> str:
    """A coerced field value as the text that gets encrypted (and blind-indexed)."""
    if field_type in _TEXTUAL and isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def plain_value(field_type: FieldType, text: str) -> Any:
    """The field value back from its decrypted text."""
    if field_type in _TEXTUAL:
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def next_key_id(existing: list[str] | tuple[str, ...]) -> str:
    """`k1`, `k2`, ...: one more than the highest `kN` in use."""
    numbers = [int(k[1:]) for k in existing if k.startswith("k") and k[1:].isdigit()]
    return f"k{max(numbers, default=0) + 1}"


def bind_statement(table: str, key_column: str, key: Any, values: dict[str, Any]) -> Statement:
    """`UPDATE table SET col = :_c_col ... WHERE key = :_key`: the second write of an insert whose row key the
    database gave (its pending values, now bound to the row)."""
    for name in (table, key_column, *values):
        check_identifier(name)
    sets = ", ".join(f"{c} = :_c_{c}" for c in values)
    return Statement(
        f"UPDATE {table} SET {sets} WHERE {key_column} = :_key",
        {**{f"_c_{c}": v for c, v in values.items()}, "_key": key},
    )


def masked(table: Table | None, row: dict[str, Any]) -> dict[str, Any]:
    """The row with each encrypted field's value replaced by `[encrypted]` (for audit entries and logs)."""
    if table is None or not table.encrypted or not row:
        return row
    return {k: (MASK if k in table.encrypted and v is not None else v) for k, v in row.items()}
