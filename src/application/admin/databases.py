"""Which database hosts the admin may connect to (db_allowlist), checked before every connection it makes."""

from __future__ import annotations

from urllib.parse import urlsplit

from domain.admin import AddressList
from domain.app import DatabaseSettings
from domain.errors import Forbidden

from .ports import DatabaseProbe


def database_host(settings: DatabaseSettings) -> str | None:
    """The network host of an app's database; None for an embedded (SQLite) one."""
    if not settings.url:
        return settings.host
    if settings.dialect == "sqlite":
        return None
    try:
        return urlsplit(settings.url).hostname or "localhost"
    except ValueError:
        return ""


async def check_allowed(probe: DatabaseProbe, allowlist: AddressList, host: str | None) -> None:
    """Forbidden unless `host` is in db_allowlist (by name, or every address it resolves to)."""
    if host is None:
        return
    if not host:
        raise Forbidden("the database address cannot be read")
    if allowlist.allows(host, await probe.resolve(host)):
        return
    raise Forbidden(f"database host {host!r} is not in the admin's db_allowlist (config/admin.yaml)")
