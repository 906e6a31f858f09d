"""Admin UI accounts, roles and permissions, sessions, and the admin's own settings (config/admin.yaml)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from enum import StrEnum

from domain.durations import parse_duration
from domain.errors import Forbidden
from domain.identifiers import check_app_name


class Role(StrEnum):
    SUPER_ADMIN = "super_admin"
    APP_ADMIN = "app_admin"


PERMISSIONS: tuple[str, ...] = (
    "schema:read",
    "schema:write",
    "schema:upload",
    "queries:read",
    "queries:write",
    "emails:read",
    "emails:write",
    "cron:read",
    "cron:write",
    "cron:trigger",
    "mail:read",
    "mail:write",
    "logs:read",
    "db:introspect",
)
ALL = "*"
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")


def check_username(name: str) -> str:
    if not _USERNAME.match(name):
        raise ValueError(
            f"username {name!r} must be 1-64 lowercase letters, digits, '.', '_', '@' or '-', starting with one "
            "letter or digit"
        )
    return name


@dataclass(frozen=True, slots=True)
class AdminUser:
    """One operator of the admin UI (an entry of admin_users.yaml)."""

    username: str
    password_hash: str = field(repr=False)
    role: Role = Role.APP_ADMIN
    email: str = ""
    apps: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_username(self.username)
        for app in self.apps:
            check_app_name(app)
        for perm in self.permissions:
            if perm != ALL and perm not in PERMISSIONS:
                raise ValueError(f"unknown permission {perm!r} (known: {', '.join((*PERMISSIONS, ALL))})")

    @property
    def is_super(self) -> bool:
        return self.role is Role.SUPER_ADMIN

    def sees(self, app: str) -> bool:
        """Whether this user may see `app` at all (super admins see every app)."""
        return self.is_super or app in self.apps

    def can(self, permission: str, app: str | None = None) -> bool:
        """Whether this user holds `permission` (on `app` when given; platform-wide actions need super_admin)."""
        if self.is_super:
            return True
        if app is None or app not in self.apps:
            return False
        return ALL in self.permissions or permission in self.permissions

    def require(self, permission: str, app: str | None = None) -> None:
        """Forbidden unless `can(permission, app)`: the check every page and action goes through."""
        if not self.can(permission, app):
            where = f" on app {app!r}" if app else ""
            raise Forbidden(f"{self.username} lacks the {permission!r} permission{where}")

    def require_super(self, what: str) -> None:
        if not self.is_super:
            raise Forbidden(f"only a super_admin may {what}")

    def visible(self, apps: list[str]) -> list[str]:
        return [a for a in apps if self.sees(a)]

    def with_hash(self, password_hash: str) -> AdminUser:
        return AdminUser(self.username, password_hash, self.role, self.email, self.apps, self.permissions)


@dataclass(frozen=True, slots=True)
class AdminSession:
    """A server-side session: `id_hash` is the SHA-256 of the id in the cookie (a leaked table opens nothing)."""

    id_hash: str
    username: str
    csrf_token: str = field(repr=False)
    created_at: float
    last_seen: float
    ip: str = ""

    def expired(self, now: float, idle_timeout: float, absolute_timeout: float) -> bool:
        return now - self.last_seen > idle_timeout or now - self.created_at > absolute_timeout


@dataclass(frozen=True, slots=True)
class SessionSettings:
    cookie_name: str = "sogoms_admin_sid"
    idle_timeout: str = "30m"
    absolute_timeout: str = "12h"
    secure: bool = True
    secret_file: str = "admin_session_secret"

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", self.cookie_name):
            raise ValueError("cookie_name must be 1-64 letters, digits, '_' or '-'")
        if self.idle_seconds <= 0 or self.absolute_seconds <= 0:
            raise ValueError("session timeouts must be positive")
        if self.idle_seconds > self.absolute_seconds:
            raise ValueError("idle_timeout cannot be longer than absolute_timeout")

    @property
    def cookie_key(self) -> str:
        """The session cookie's name: `__Host-` first when Secure, so the browser only takes it from this very host
        over HTTPS, for path `/`, with no Domain (a sibling subdomain cannot plant or shadow it)."""
        return f"__Host-{self.cookie_name}" if self.secure else self.cookie_name

    @property
    def idle_seconds(self) -> float:
        return parse_duration(self.idle_timeout)

    @property
    def absolute_seconds(self) -> float:
        return parse_duration(self.absolute_timeout)


@dataclass(frozen=True, slots=True)
class LoginRateLimit:
    login_max: int = 5
    login_window: str = "60s"

    def __post_init__(self) -> None:
        if self.login_max < 1:
            raise ValueError("login_max must be at least 1")
        if self.window_seconds <= 0:
            raise ValueError("login_window must be positive")

    @property
    def window_seconds(self) -> float:
        return parse_duration(self.login_window)


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class AddressList:
    """Host names and IP addresses / CIDR blocks (trusted proxies, the database allow-list)."""

    entries: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for e in self.entries:
            if _network(e) is None and not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", e):
                raise ValueError(f"{e!r} is neither an IP address, a CIDR block nor a host name")

    def allows_ip(self, ip: str) -> bool:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(net is not None and addr in net for net in map(_network, self.entries))

    def allows(self, host: str, resolved: list[str]) -> bool:
        """`host` is listed by name, or it is (or resolves only to) addresses inside the listed blocks."""
        name = host.strip().lower().rstrip(".")
        if any(_network(e) is None and e.lower().rstrip(".") == name for e in self.entries):
            return True
        return bool(resolved) and all(self.allows_ip(ip) for ip in resolved)


@dataclass(frozen=True, slots=True)
class ReloadTargets:
    """Which supervised services reload after each kind of change (names as in sogoctl.yaml)."""

    apps: tuple[str, ...] = ("sogoway", "sogoms-db", "sogoms-cron")
    schema: tuple[str, ...] = ("sogoway",)
    queries: tuple[str, ...] = ("sogoway",)
    emails: tuple[str, ...] = ("sogoms-smtp",)
    cron: tuple[str, ...] = ("sogoms-cron",)
    mail: tuple[str, ...] = ("sogoms-mailproc",)


@dataclass(frozen=True, slots=True)
class AdminSettings:
    """The whole of config/admin.yaml."""

    host: str = "127.0.0.1"
    port: int = 9000
    base_path: str = "/admin"
    session: SessionSettings = field(default_factory=SessionSettings)
    rate_limit: LoginRateLimit = field(default_factory=LoginRateLimit)
    trusted_proxies: tuple[str, ...] = ()
    db_allowlist: tuple[str, ...] = ("127.0.0.0/8", "::1/128", "localhost")
    state_database: str = ""
    users_file: str = "admin_users.yaml"
    logs_transport: str = "ipc"
    reload: ReloadTargets = field(default_factory=ReloadTargets)
    page_size: int = 50
    ipc_timeout: str = "5s"

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError("port must be between 1 and 65535")
        if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)*/?", self.base_path) or "/." in self.base_path:
            raise ValueError(
                f"base_path {self.base_path!r} must be '/' or a path such as /admin (letters, digits, '.', '_', '~', '-')"
            )
        AddressList(self.trusted_proxies)
        AddressList(self.db_allowlist)
        if self.logs_transport not in ("ipc", "inproc"):
            raise ValueError("logs_transport must be 'ipc' (sogoms-logs) or 'inproc' (files written by the admin)")
        if not 1 <= self.page_size <= 500:
            raise ValueError("page_size must be between 1 and 500")
        parse_duration(self.ipc_timeout)

    @property
    def base(self) -> str:
        """The base path without its trailing slash: '' when the UI is served at the root."""
        return self.base_path.rstrip("/")

    @property
    def ipc_timeout_seconds(self) -> float:
        return parse_duration(self.ipc_timeout)

    @property
    def proxies(self) -> AddressList:
        return AddressList(self.trusted_proxies)

    @property
    def allowlist(self) -> AddressList:
        return AddressList(self.db_allowlist)
