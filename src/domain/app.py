"""An app's settings as declared in `config/apps/{app}/app.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .auth import AuthQueries
from .durations import check_durations, parse_duration
from .identifiers import check_app_name, normalize_host
from .push import PushSettings
from .queries import ResourceQueries
from .schema import Schema


@dataclass(frozen=True, slots=True)
class DatabaseSettings:
    """Either a SQLAlchemy `url`, or the seed's MariaDB fields (host, port, user, password_file, name)."""

    url: str = ""
    host: str = ""
    port: int = 3306
    user: str = ""
    password_file: str = ""
    name: str = ""
    pool_size: int = 10
    max_overflow: int = 0
    pool_timeout: str = "5s"
    statement_timeout: str = "30s"

    def __post_init__(self) -> None:
        if not self.url and not (self.host and self.name):
            raise ValueError("database needs either `url` or `host` and `name`")
        if self.url and self.host:
            raise ValueError("database takes `url` or `host`/`name`, not both")
        if self.pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        check_durations(self, "pool_timeout", "statement_timeout")

    @property
    def dialect(self) -> str:
        """'sqlite' or 'mysql' (MariaDB), from the URL scheme."""
        if not self.url:
            return "mysql"
        scheme = self.url.split(":", 1)[0].split("+", 1)[0]
        return "mysql" if scheme in ("mysql", "mariadb") else scheme


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    login_per_account: int = 5
    login_per_ip: int = 20
    register_per_ip: int = 10
    window: str = "60s"

    def __post_init__(self) -> None:
        check_durations(self, "window")
        if self.login_per_account < 1 or self.login_per_ip < 1 or self.register_per_ip < 1:
            raise ValueError("rate limits must be at least 1")

    @property
    def window_seconds(self) -> float:
        return parse_duration(self.window)


@dataclass(frozen=True, slots=True)
class AuthSettings:
    jwt_secret_file: str = ""
    jwt_expiry: str = "24h"
    refresh_expiry: str = "30d"
    login_include: tuple[str, ...] = ()
    default_role: str = "user"
    password_min_length: int = 8
    leeway: str = "10s"
    rate_limit: RateLimitSettings = field(default_factory=RateLimitSettings)

    def __post_init__(self) -> None:
        check_durations(self, "jwt_expiry", "refresh_expiry", "leeway")
        if parse_duration(self.leeway) > 30:
            raise ValueError("`leeway`: must be at most 30s")
        if self.password_min_length < 1:
            raise ValueError("password_min_length must be at least 1")

    @property
    def jwt_expiry_seconds(self) -> int:
        return int(parse_duration(self.jwt_expiry))

    @property
    def refresh_expiry_seconds(self) -> int:
        return int(parse_duration(self.refresh_expiry))

    @property
    def leeway_seconds(self) -> float:
        return parse_duration(self.leeway)


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 587
    user: str = ""
    password_file: str = ""
    from_address: str = field(default="", metadata={"key": "from"})
    from_name: str = ""
    tls: bool = False
    starttls: bool | None = None
    timeout: str = "30s"
    rate: float = 10.0

    def __post_init__(self) -> None:
        check_durations(self, "timeout")
        if self.rate <= 0:
            raise ValueError("rate must be positive (messages per second)")

    @property
    def use_starttls(self) -> bool:
        """STARTTLS unless implicit TLS is on; explicit `starttls` wins (false for a plain local relay)."""
        if self.starttls is not None:
            return self.starttls and not self.tls
        return not self.tls and self.port == 587


@dataclass(frozen=True, slots=True)
class LogSettings:
    retention_days: int = 30

    def __post_init__(self) -> None:
        if self.retention_days < 1:
            raise ValueError("retention_days must be at least 1")


@dataclass(frozen=True, slots=True)
class CryptSettings:
    key_file: str = ""
    blind_index_file: str = ""


@dataclass(frozen=True, slots=True)
class AppSettings:
    """The whole of app.yaml."""

    app: str
    hosts: tuple[str, ...]
    database: DatabaseSettings
    version: str = "1.0"
    base_path: str = "/api"
    auth: AuthSettings = field(default_factory=AuthSettings)
    smtp: SmtpSettings | None = None
    logs: LogSettings = field(default_factory=LogSettings)
    push: PushSettings = field(default_factory=PushSettings)
    crypt: CryptSettings | None = None

    def __post_init__(self) -> None:
        check_app_name(self.app)
        if not self.hosts:
            raise ValueError("hosts must list at least one host name")
        if not self.base_path.startswith("/") or (len(self.base_path) > 1 and self.base_path.endswith("/")):
            raise ValueError("base_path must start with '/' and not end with '/' (e.g. /api)")

    @property
    def normalized_hosts(self) -> tuple[str, ...]:
        return tuple(normalize_host(h) for h in self.hosts)

    @property
    def jwt_secret_file(self) -> str:
        return self.auth.jwt_secret_file or f"{self.app}_jwt_secret"


@dataclass(frozen=True, slots=True)
class App:
    """Everything one app folder declares, loaded and checked: the unit the gateway serves."""

    settings: AppSettings
    resources: dict[str, ResourceQueries]
    auth: AuthQueries | None
    jwt_secret: bytes = field(repr=False)
    schema: Schema | None = None
    folder: str = ""

    @property
    def name(self) -> str:
        return self.settings.app

    def resource(self, name: str) -> ResourceQueries | None:
        return self.resources.get(name)

    def public_user(self, row: dict[str, Any]) -> dict[str, Any]:
        """A user row as the API shows it: no password, no hidden field, values presented as on every other
        route of the app (ISO date-times with `Z`, booleans, JSON)."""
        assert self.auth is not None
        user = self.auth.public_user(row)
        table = self.schema.table(self.auth.table) if self.schema is not None else None
        if table is None:
            return user
        return table.present({k: v for k, v in user.items() if k not in table.fields or not table.fields[k].hidden})
