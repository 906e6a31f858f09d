"""View and edit an app's queries, email templates, cron.yaml, schema.yaml and mailrules.yaml: checked before anything changes."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.errors import ConfigError, FieldError, Forbidden, InvalidInput, NotFound

from .audit import Actor, Auditor
from .ports import AppCatalog, AppFiles, ServiceControl
from .reloads import reload_services

SQL_PERMISSION = "queries:write"  # writing SQL that runs on the app's database (docs/admin.md, "Roles and permissions")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FILE = 256 * 1024


@dataclass(frozen=True, slots=True)
class FileKind:
    """A kind of app file: either every `{folder}/*.yaml`, or one fixed file."""

    key: str
    folder: str = ""
    single: str = ""

    def path(self, name: str) -> str:
        if self.single:
            return self.single
        if not _NAME.match(name):
            raise InvalidInput([FieldError("name", "lower-case letters, digits, '_' or '-' (at most 64)")])
        return f"{self.folder}/{name}.yaml"


KINDS = {
    "queries": FileKind("queries", folder="queries"),
    "emails": FileKind("emails", folder="emails"),
    "cron": FileKind("cron", single="cron.yaml"),
    "schema": FileKind("schema", single="schema.yaml"),
    "mail": FileKind("mail", single="mailrules.yaml"),
}


def kind_of(key: str) -> FileKind:
    kind = KINDS.get(key)
    if kind is None:
        raise NotFound(f"no file kind {key!r}")
    return kind


@dataclass(frozen=True, slots=True)
class SavedFile:
    path: str
    warnings: list[str]


class AppFileEditor:
    def __init__(
        self,
        catalog: AppCatalog,
        files: AppFiles,
        control: ServiceControl,
        auditor: Auditor,
        reload_targets: dict[str, tuple[str, ...]],
    ) -> None:
        self._catalog, self._files, self._control = catalog, files, control
        self._audit, self._reload = auditor, reload_targets

    async def _app(self, app: str) -> None:
        if app not in await self._catalog.names():
            raise NotFound(f"no app named {app!r}")

    async def names(self, actor: Actor, app: str, key: str) -> list[str]:
        kind = kind_of(key)
        await self._audit.require(actor, f"{kind.key}:read", app, f"list_{kind.key}")
        await self._app(app)
        if kind.single:
            return [kind.single.removesuffix(".yaml")]
        return await self._files.list(app, kind.folder)

    async def read(self, actor: Actor, app: str, key: str, name: str) -> str | None:
        """The file's text; None when it does not exist yet (one may be created by saving)."""
        kind = kind_of(key)
        await self._audit.require(actor, f"{kind.key}:read", app, f"read_{kind.key}")
        await self._app(app)
        return await self._files.read(app, kind.path(name))

    async def save(self, actor: Actor, app: str, key: str, name: str, text: str, *, upload: bool = False) -> SavedFile:
        """Check the new text with the services' own loaders; only then replace the file and reload its service."""
        kind = kind_of(key)
        permission = f"{kind.key}:upload" if upload else f"{kind.key}:write"
        action = f"{'upload' if upload else 'edit'}_{kind.key}"
        await self._audit.require(actor, permission, app, action)
        await self._app(app)
        path = kind.path(name)
        if len(text.encode()) > MAX_FILE:
            raise InvalidInput([FieldError("text", f"is over {MAX_FILE // 1024} KiB")])
        text = text.replace("\r\n", "\n")
        await self._require_sql_power(actor, app, path, text, action)
        try:
            await self._files.check(app, path, text)
        except ConfigError as exc:
            await self._audit.done(actor, action, app, outcome="invalid", path=path, error=exc.message[:500])
            raise
        await self._files.replace(app, path, text)
        warnings = await reload_services(self._control, self._reload.get(kind.key, ()))
        await self._audit.done(actor, action, app, path=path, bytes=len(text.encode()), reload_problems=warnings)
        return SavedFile(path, warnings)

    async def _require_sql_power(self, actor: Actor, app: str, path: str, text: str, action: str) -> None:
        """SQL the file would run that the current file does not (a cron job's query, a `service: db` call) is the
        power to read and write the app's whole database: it needs SQL_PERMISSION, whatever the file's own one."""
        new = await self._files.sql(app, path, text)
        if not new:
            return
        old = await self._files.sql(app, path, await self._files.read(app, path) or "")
        if new - old:
            try:
                await self._audit.require(actor, SQL_PERMISSION, app, action)
            except Forbidden as exc:
                raise Forbidden(
                    f"{exc.message}: a job that runs SQL (a query_email query, a `service: db` call) reads and writes "
                    "the app's whole database, so adding or changing one needs it as well"
                ) from None
