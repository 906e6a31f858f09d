"""Which database an app's settings point at: its SQLite file, or its MariaDB server, database and account.

Two apps must never share one: an app's SQL (query files, cron jobs) can reach everything its connection reaches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from domain.app import DatabaseSettings

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass(frozen=True, slots=True)
class DatabasePlace:
    dialect: str  # sqlite | mysql | "" (a URL that does not parse: the services refuse it anyway)
    file: str = ""  # sqlite: the file's real path ("" for an in-memory database, never shared)
    server: str = ""  # mysql: host:port
    name: str = ""  # mysql: the database (schema)
    user: str = ""  # mysql: the account


def _server(host: str, port: int | None) -> str:
    host = (host or "localhost").lower()
    return f"{'localhost' if host in _LOOPBACK else host}:{port or 3306}"


def _sqlite_file(database: str) -> str:
    if not database or database == ":memory:" or database.startswith("file:"):
        return ""
    return os.path.realpath(database)


def place_of(settings: DatabaseSettings) -> DatabasePlace:
    if not settings.url:
        return DatabasePlace(
            "mysql", server=_server(settings.host, settings.port), name=settings.name, user=settings.user
        )
    try:
        url = make_url(settings.url)
    except Exception:  # noqa: BLE001 - reported by the services' own loader
        return DatabasePlace("")
    if url.get_backend_name() == "sqlite":
        return DatabasePlace("sqlite", file=_sqlite_file(url.database or ""))
    return DatabasePlace(
        "mysql", server=_server(url.host or "", url.port), name=url.database or "", user=url.username or ""
    )


def sqlite_place(data_dir: Path, file_name: str) -> DatabasePlace:
    return DatabasePlace("sqlite", file=_sqlite_file(str(Path(data_dir) / file_name)))


def mysql_place(host: str, port: int, name: str, user: str) -> DatabasePlace:
    return DatabasePlace("mysql", server=_server(host, port), name=name, user=user)


def shared(apps: dict[str, DatabaseSettings]) -> list[str]:
    """A warning for each SQLite file, MariaDB database or MariaDB account used by more than one app."""
    groups: dict[tuple[str, str], list[str]] = {}
    places: list[tuple[str, DatabaseSettings]] = []
    for app, settings in sorted(apps.items()):
        places.append((app, settings))
        if settings.state is not None:  # its platform tables: no other app may keep its own there
            places.append((f"{app} (state_database)", settings.state))
    for app, settings in places:
        p = place_of(settings)
        keys = []
        if p.dialect == "sqlite" and p.file:
            keys.append(("the SQLite file", p.file))
        elif p.dialect == "mysql":
            keys.append(("the MariaDB database", f"{p.name} on {p.server}"))
            if p.user:
                keys.append(("the MariaDB account", f"{p.user} on {p.server}"))
        for key in keys:
            groups.setdefault(key, []).append(app)
    return [
        f"apps {', '.join(names)} share {what} {where}: each app's SQL reaches everything its connection reaches, "
        "so give each app its own (docs/security.md)"
        for (what, where), names in groups.items()
        if len(names) > 1
    ]
