"""Decrypting rows a test read straight from an app's database (encrypted fields hold ciphertext there)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.config.apps import YamlAppRepository
from adapters.crypt.aesgcm import AesGcmCipher
from application.crypt.fields import FieldSealer


async def opened(
    config: Path, secrets: Path, app: str, table: str, rows: list[dict[str, Any]], key: str = "id"
) -> list[dict[str, Any]]:
    """`rows` (each with the row key `key`) with `table`'s encrypted fields decrypted in place."""
    loaded = YamlAppRepository(config, secrets).load(Path(config) / "apps" / app, with_secrets=False)
    assert loaded.schema is not None
    sealer = FieldSealer(AesGcmCipher(secrets, {app: loaded.settings}))
    await sealer.open(app, loaded.schema.table(table), rows, key)
    return rows
