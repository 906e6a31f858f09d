"""The ports the admin use cases need: accounts, sessions, services, cron, logs, app files, databases."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from domain.admin import AdminSession, AdminUser
from domain.app import App, DatabaseSettings
from domain.schema.model import Schema


class AdminUsers(Protocol):
    """The admin accounts file ({SECRETS_DIR}/admin_users.yaml)."""

    async def all(self) -> list[AdminUser]: ...

    async def get(self, username: str) -> AdminUser | None: ...

    async def save(self, user: AdminUser) -> None:
        """Add `user`, or replace the account of the same username; the file is rewritten atomically (0600)."""
        ...


class SessionStore(Protocol):
    """Sessions kept server-side (shared by every admin host), keyed by the hash of the cookie's id."""

    async def create(self, session: AdminSession) -> None: ...

    async def get(self, id_hash: str) -> AdminSession | None: ...

    async def touch(self, id_hash: str, now: float) -> None: ...

    async def delete(self, id_hash: str) -> None: ...

    async def delete_user(self, username: str) -> int:
        """End every session of `username`; how many there were."""
        ...

    async def purge(self, idle_before: float, created_before: float) -> int: ...


class Randomness(Protocol):
    def token(self) -> str:
        """A new unguessable token (session ids, CSRF tokens)."""
        ...

    def secret(self) -> bytes:
        """A new JWT secret (at least 32 bytes, printable)."""
        ...


@dataclass(frozen=True, slots=True)
class ServiceState:
    name: str
    state: str
    pid: int | None = None
    uptime: float | None = None
    restarts: int = 0
    last_health: str = ""
    alert: str = ""  # FATAL (given up on) or crash-looping (a critical service failing again and again): act


class ServiceControl(Protocol):
    """The supervisor's control socket (sogoctl)."""

    async def status(self) -> list[ServiceState]: ...

    async def reload(self, service: str) -> None: ...

    async def restart(self, service: str) -> None: ...


class CronControl(Protocol):
    """sogoms-cron's actions."""

    async def jobs(self, app_id: str) -> list[dict[str, Any]]: ...

    async def trigger(self, app_id: str, job: str) -> dict[str, Any]: ...

    async def history(self, app_id: str, job: str = "", limit: int = 20) -> list[dict[str, Any]]: ...


@dataclass(frozen=True, slots=True)
class LogLine:
    ts: str
    type: str
    entry: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LogPage:
    lines: list[LogLine]
    page: int
    has_more: bool
    days: list[str] = field(default_factory=list)


class LogReader(Protocol):
    """The JSON-lines files of sogoms-logs: `{LOG_DIR}/{app}-{YYYYMMDD}-{type}.log`."""

    async def days(self, app_id: str) -> list[str]:
        """The days (YYYYMMDD) with a file for this app, newest first."""
        ...

    async def read(
        self, app_id: str, day: str, types: tuple[str, ...], text: str, offset: int, limit: int
    ) -> tuple[list[LogLine], bool]:
        """Lines of that day, newest first, filtered by type and text; and whether more follow."""
        ...


class AppCatalog(Protocol):
    """The app folders under config/apps, read afresh (what is on disk, not what a service serves)."""

    async def names(self) -> list[str]: ...

    async def load(self, name: str) -> App:
        """The app, checked as the gateway checks it (secrets not read); NotFound or ConfigError."""
        ...


class AppFiles(Protocol):
    """Files of an app folder (relative paths like `queries/tasks.yaml`), written atomically."""

    async def list(self, app_id: str, folder: str) -> list[str]: ...

    async def read(self, app_id: str, path: str) -> str | None: ...

    async def check(self, app_id: str, path: str, text: str) -> None:
        """ConfigError unless the folder with `text` at `path` loads as the services load it."""
        ...

    async def replace(self, app_id: str, path: str, text: str) -> None: ...

    async def sql(self, app_id: str, path: str, text: str) -> frozenset[str]:
        """The SQL that `text` at `path` would hand to the app's database beyond what a query file does (the
        jobs of cron.yaml); empty for other files and for a text that does not load."""
        ...


@dataclass(frozen=True, slots=True)
class NewAppFiles:
    """Everything written when an app is created."""

    name: str
    app_yaml: dict[str, Any]
    secrets: dict[str, bytes] = field(repr=False)


class AppCreator(Protocol):
    async def exists(self, name: str) -> bool: ...

    async def create(self, files: NewAppFiles) -> str:
        """Write the secrets (0600) and the folder (app.yaml, queries/), all or nothing; the folder path."""
        ...


@dataclass(frozen=True, slots=True)
class DbTarget:
    """A database to reach before an app exists: a SQLite file, or MariaDB fields with the password itself."""

    kind: str  # sqlite | mariadb
    sqlite_file: str = ""
    host: str = ""
    port: int = 3306
    user: str = ""
    password: str = field(default="", repr=False)
    name: str = ""


class DatabaseProbe(Protocol):
    async def resolve(self, host: str) -> list[str]:
        """The IP addresses `host` resolves to (empty when it does not)."""
        ...

    async def check(self, target: DbTarget) -> None:
        """Connect and run one query; Unavailable saying why when that fails."""
        ...

    def sharing(self, target: DbTarget, apps: dict[str, DatabaseSettings]) -> tuple[list[str], list[str]]:
        """Which of `apps` already use the database `target` names (the same SQLite file, or the same MariaDB
        database on the same server), and which use the same MariaDB account."""
        ...


class AppDatabases(Protocol):
    async def use(self, apps: list[App]) -> None:
        """Make these apps' databases reachable for introspection (with their current settings)."""
        ...


class SchemaText(Protocol):
    def text(self, schema: Schema, header: str) -> str:
        """schema.yaml as written by `sogoms schema generate`."""
        ...


class InboundControl(Protocol):
    """sogoms-imap's and sogoms-mailproc's actions that the admin shows."""

    async def watchers(self) -> list[dict[str, Any]]:
        """sogoms-imap's watched folders (app, mailbox, folder, connected, idle, last_error, processed...)."""
        ...

    async def messages(self, app_id: str, limit: int = 50) -> list[dict[str, Any]]: ...

    async def retry(self, app_id: str, message: int) -> None: ...
