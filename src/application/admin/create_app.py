"""Create an app from the admin form: checked, database reached first, secrets 0600, folder written whole."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from domain.admin import AddressList
from domain.app import DatabaseSettings
from domain.durations import parse_duration
from domain.errors import DomainError, FieldError, Forbidden, InvalidInput
from domain.identifiers import check_app_name, normalize_host

from .audit import Actor, Auditor
from .databases import check_allowed
from .ports import AppCatalog, AppCreator, DatabaseProbe, DbTarget, NewAppFiles, Randomness, ServiceControl
from .reloads import reload_services

_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$")
_BASE = re.compile(r"^(/[A-Za-z0-9_-]+)*$|^/$")
_SQLITE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_DB_NAME = re.compile(r"^[A-Za-z0-9_$-]{1,64}$")


@dataclass(frozen=True, slots=True)
class NewApp:
    name: str
    hosts: tuple[str, ...]
    database: DbTarget
    base_path: str = "/api"
    jwt_expiry: str = "24h"
    refresh_expiry: str = "30d"


@dataclass(frozen=True, slots=True)
class CreatedApp:
    name: str
    folder: str
    warnings: list[str] = field(default_factory=list)


def _form_errors(cmd: NewApp) -> list[FieldError]:
    errors: list[FieldError] = []
    try:
        check_app_name(cmd.name)
    except ValueError as exc:
        errors.append(FieldError("name", str(exc)))
    if not cmd.hosts:
        errors.append(FieldError("hosts", "list at least one host name"))
    for host in cmd.hosts:
        if not _HOST.match(normalize_host(host)):
            errors.append(FieldError("hosts", f"{host!r} is not a host name"))
    if not _BASE.match(cmd.base_path) or cmd.base_path == "/":
        errors.append(FieldError("base_path", "must look like /api (starts with '/', no trailing '/')"))
    for name in ("jwt_expiry", "refresh_expiry"):
        try:
            if parse_duration(getattr(cmd, name)) <= 0:
                raise ValueError("must be positive")
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
    db = cmd.database
    if db.kind == "sqlite":
        if not _SQLITE_FILE.match(db.sqlite_file) or ".." in db.sqlite_file:
            errors.append(FieldError("sqlite_file", "a file name in the data folder, like myapp.db (no '/')"))
    elif db.kind == "mariadb":
        if not db.host:
            errors.append(FieldError("db_host", "is required"))
        if not 0 < db.port < 65536:
            errors.append(FieldError("db_port", "must be between 1 and 65535"))
        if not db.user:
            errors.append(FieldError("db_user", "is required"))
        if not _DB_NAME.match(db.name):
            errors.append(FieldError("db_name", "letters, digits, '_', '-' or '$' (at most 64)"))
    else:
        errors.append(FieldError("db_kind", "choose sqlite or mariadb"))
    return errors


def app_yaml(cmd: NewApp) -> dict[str, Any]:
    db = cmd.database
    database: dict[str, Any]
    if db.kind == "sqlite":
        database = {"url": f"sqlite+aiosqlite:///${{SOGOMS_DATA_DIR:-var/data}}/{db.sqlite_file}"}
    else:
        database = {"host": db.host, "port": db.port, "user": db.user, "name": db.name}
        if db.password:
            database["password_file"] = f"{cmd.name}_db_password"
    return {
        "app": cmd.name,
        "version": "1.0",
        "base_path": cmd.base_path,
        "hosts": [normalize_host(h) for h in cmd.hosts],
        "database": database,
        "auth": {
            "jwt_secret_file": f"{cmd.name}_jwt_secret",
            "jwt_expiry": cmd.jwt_expiry,
            "refresh_expiry": cmd.refresh_expiry,
        },
    }


class CreateApp:
    def __init__(
        self,
        catalog: AppCatalog,
        creator: AppCreator,
        probe: DatabaseProbe,
        allowlist: AddressList,
        randomness: Randomness,
        control: ServiceControl,
        auditor: Auditor,
        reload_targets: tuple[str, ...] = ("sogoway",),
    ) -> None:
        self._catalog, self._creator, self._probe, self._allowlist = catalog, creator, probe, allowlist
        self._random, self._control, self._audit, self._reload = randomness, control, auditor, reload_targets

    async def _existing(self) -> tuple[dict[str, str], dict[str, DatabaseSettings]]:
        """Hosts already served (host -> app), and every app's database settings."""
        taken: dict[str, str] = {}
        databases: dict[str, DatabaseSettings] = {}
        for name in await self._catalog.names():
            try:
                app = await self._catalog.load(name)
            except DomainError:
                continue
            taken.update({h: name for h in app.settings.normalized_hosts})
            databases[name] = app.settings.database
        return taken, databases

    async def __call__(self, actor: Actor, cmd: NewApp) -> CreatedApp:
        await self._audit.require_super(actor, "create_app")
        errors = _form_errors(cmd)
        if not errors and await self._creator.exists(cmd.name):
            errors.append(FieldError("name", f"an app named {cmd.name!r} already exists"))
        shared_account: list[str] = []
        if not errors:
            taken, databases = await self._existing()
            errors += [
                FieldError("hosts", f"{h!r} is already served by app {taken[normalize_host(h)]!r}")
                for h in cmd.hosts
                if normalize_host(h) in taken
            ]
            same_db, shared_account = self._probe.sharing(cmd.database, databases)
            if same_db:
                where = "sqlite_file" if cmd.database.kind == "sqlite" else "db_name"
                errors.append(
                    FieldError(
                        where,
                        f"is already the database of app {', '.join(repr(a) for a in same_db)}: give "
                        "each app its own (its SQL reaches everything in it)",
                    )
                )
        if not errors and cmd.database.kind == "mariadb":
            try:
                await check_allowed(self._probe, self._allowlist, cmd.database.host)
            except Forbidden as exc:
                errors.append(FieldError("db_host", exc.message))
        if not errors:
            try:
                await self._probe.check(cmd.database)
            except DomainError as exc:
                errors.append(FieldError("database", f"connection test failed: {exc.message}"))
        if errors:
            await self._audit.done(actor, "create_app", None, outcome="invalid", name=cmd.name[:64])
            raise InvalidInput(errors)
        secrets = {f"{cmd.name}_jwt_secret": self._random.secret()}
        if cmd.database.kind == "mariadb" and cmd.database.password:
            secrets[f"{cmd.name}_db_password"] = cmd.database.password.encode()
        folder = await self._creator.create(NewAppFiles(cmd.name, app_yaml(cmd), secrets))
        warnings = [
            f"the MariaDB account {cmd.database.user!r} is also used by app {a!r}: either app's SQL can reach the "
            "other's database; give each app its own account (docs/security.md)"
            for a in shared_account
        ]
        warnings += await reload_services(self._control, self._reload)
        await self._audit.done(
            actor,
            "create_app",
            None,
            name=cmd.name,
            hosts=list(cmd.hosts),
            database=cmd.database.kind,
            reload_problems=warnings,
        )
        return CreatedApp(cmd.name, folder, warnings)
