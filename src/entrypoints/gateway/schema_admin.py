"""`GET {base}/_admin/schema/introspect` and `POST {base}/_admin/schema/generate` (the seed's roadmap 15b).

They take the app's admin token (`{SOGOMS_SECRETS_DIR}/{app}_admin_token`, made by `sogoms secrets init APP
--admin-token`) in the `X-Admin-Token` header: a credential of the operator, never an app user's JWT. Without that
file the endpoints are off for the app (403). `generate` answers the schema.yaml the live database gives (keeping
the annotations of the current one); it writes nothing (`sogoms schema generate APP` writes the file).
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from adapters.config.schema_writer import schema_text
from adapters.ipc.protocol import wire
from application.ports.database import Database
from domain.app import App
from domain.errors import Forbidden, Unauthorized
from domain.schema.generate import merge_generated

HEADER = "x-admin-token"


def admin_token_file(app_name: str) -> str:
    return f"{app_name}_admin_token"


class SchemaAdmin:
    def __init__(self, database: Database, secrets_dir: Path) -> None:
        self._db, self._secrets = database, Path(secrets_dir)

    def check(self, app: App, presented: str | None) -> None:
        """Forbidden when the app has no admin token; Unauthorized unless `presented` is it (constant time)."""
        path = self._secrets / admin_token_file(app.name)
        try:
            expected = path.read_bytes().strip()
        except FileNotFoundError:
            raise Forbidden(
                f"the schema admin endpoints are off for {app.name}: create its admin token with "
                f"`sogoms secrets init {app.name} --admin-token`"
            ) from None
        if not expected:
            raise Forbidden(f"the admin token file of {app.name} is empty")
        if not presented:
            raise Unauthorized("this endpoint takes the app's admin token in the X-Admin-Token header")
        if not hmac.compare_digest(presented.strip().encode(), expected):
            raise Unauthorized("Invalid admin token")

    async def introspect(self, app: App) -> dict[str, Any]:
        """The live database as the platform reads it (as `sogoms schema introspect APP` prints it)."""
        result: dict[str, Any] = wire(await self._db.introspect(app.name))
        return result

    async def generate(self, app: App) -> dict[str, Any]:
        schema = merge_generated(await self._db.introspect(app.name), app.schema)
        text = schema_text(
            schema, f"schema.yaml of {app.name}, generated from its database by POST _admin/schema/generate."
        )
        return {"schema_yaml": text, "tables": sorted(schema.tables)}
