"""What the admin shows of an app's field encryption: its keyring and the values stored under each key."""

from __future__ import annotations

from dataclasses import dataclass, field

from application.crypt.ports import Keyrings, Resealing
from domain.errors import DomainError
from domain.schema.model import Schema


@dataclass(frozen=True, slots=True)
class EncryptionState:
    """What the admin shows of an app's field encryption: its keyring and the values under each key."""

    active: str = ""
    keys: tuple[str, ...] = ()
    values: dict[str, dict[str, int]] = field(default_factory=dict)  # table.column -> key id (or plain) -> count
    error: str = ""

    @property
    def rotating(self) -> bool:
        """More than one key in the ring: a rotation is under way (or its old key is still used)."""
        return len(self.keys) > 1


async def encryption_state(
    app_id: str, schema: Schema, keyrings: Keyrings, resealer: Resealing | None
) -> EncryptionState:
    try:
        active, keys = keyrings.active(app_id), keyrings.key_ids(app_id)
    except DomainError as exc:
        return EncryptionState(error=exc.message)
    values: dict[str, dict[str, int]] = {}
    if resealer is not None:
        try:
            values = {col: dict(counts) for col, counts in (await resealer.status(app_id, schema)).items()}
        except DomainError as exc:
            return EncryptionState(active, keys, error=exc.message)
    return EncryptionState(active, keys, values)
