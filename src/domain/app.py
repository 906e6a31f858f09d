"""An app's settings as declared in `config/apps/{app}/app.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from domain.auth import AuthQueries
from domain.durations import check_durations, parse_duration
from domain.identifiers import check_app_name, check_identifier, normalize_host
from domain.mail.inbound import ImapMailbox
from domain.push import PushSettings
from domain.query.files import ResourceQueries
from domain.schema.model import Schema


def place_key(s: DatabaseSettings) -> tuple[str, ...]:
    """Roughly where a database is (its URL, or MariaDB host, port and name), to tell two settings apart."""
    return (s.url,) if s.url else (s.host.lower(), str(s.port), s.name)


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
    # MariaDB (Galera): other nodes tried in order when the first cannot be reached or is not ready, as host:port
    # (also `?failover=host:port,host:port` on the URL)
    failover: tuple[str, ...] = ()
    # Galera: each read first waits until this node has applied what the cluster committed before it
    # (wsrep_sync_wait=1), so a write made through another node is always seen; no effect elsewhere
    causal_reads: bool = True
    # where the platform's own tables (sogoms_*) live: the app's `state_database` (set from app.yaml), else here
    state: DatabaseSettings | None = field(default=None, metadata={"internal": True})

    def __post_init__(self) -> None:
        if not self.url and not (self.host and self.name):
            raise ValueError("database needs either `url` or `host` and `name`")
        if self.url and self.host:
            raise ValueError("database takes `url` or `host`/`name`, not both")
        if self.pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        check_durations(self, "pool_timeout", "statement_timeout")
        if self.failover_hosts and self.dialect != "mysql":
            raise ValueError("failover is for MariaDB (Galera) databases only")

    @property
    def failover_hosts(self) -> tuple[tuple[str, int], ...]:
        """The failover nodes as (host, port): the `failover` list, then those of the URL's `failover` query."""
        entries = list(self.failover)
        if self.url and "?" in self.url:
            for value in parse_qs(urlsplit(self.url).query).get("failover", []):
                entries.extend(e for e in value.split(",") if e.strip())
        return tuple(host_port(e) for e in entries)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'mysql' (MariaDB), from the URL scheme."""
        if not self.url:
            return "mysql"
        scheme = self.url.split(":", 1)[0].split("+", 1)[0]
        return "mysql" if scheme in ("mysql", "mariadb") else scheme


def host_port(entry: str, default_port: int = 3306) -> tuple[str, int]:
    """`host`, `host:port` or `[v6]:port` as (host, port); ValueError naming the entry when it is not one."""
    text = entry.strip()
    host, port = text, str(default_port)
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        if rest:
            port = rest.removeprefix(":")
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or any(c in host for c in "/@ ?#"):
        raise ValueError(f"failover entry {entry!r} is not host:port")
    return host, int(port)


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
class LegacyTokens:
    """Access tokens the Go SOGOMS issued (HS256, integer `sub`, no `jti`), accepted through `accept_until`.

    Opt-in, for a cutover without logging everyone out: such a token is accepted until the end of that day (UTC),
    then refused. Having no `jti`, one of them cannot be revoked alone: logging out with one (or
    `sogoms tokens revoke-legacy`) refuses every legacy token of that user from then on.
    """

    accept_until: date

    @property
    def until_timestamp(self) -> float:
        """The first second (UTC) at which legacy tokens are refused."""
        end = datetime.combine(self.accept_until + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        return end.timestamp()


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
    legacy_tokens: LegacyTokens | None = None

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

    @property
    def legacy_until(self) -> float | None:
        """Until when tokens without `jti` (the Go system's) are accepted; None: never."""
        return self.legacy_tokens.until_timestamp if self.legacy_tokens is not None else None


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
    """Where the app's field-encryption keys live (files in SOGOMS_SECRETS_DIR, created by `sogoms secrets init`)."""

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
    imap: dict[str, ImapMailbox] = field(default_factory=dict)  # mailboxes read by sogoms-imap, by name
    # the database of the platform's own tables (sogoms_*: revocations, refresh tokens, rate limits, outbox, cron
    # runs, inbound mail state, migrations); default: the app's own database
    state_database: DatabaseSettings | None = None

    def __post_init__(self) -> None:
        check_app_name(self.app)
        if self.state_database is not None:
            if place_key(self.state_database) == place_key(self.database):
                raise ValueError("state_database must be another database than `database` (or be left out)")
            object.__setattr__(self, "database", replace(self.database, state=self.state_database))
        for name in self.imap:
            check_identifier(name, "imap mailbox name")
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

    @property
    def crypt_key_file(self) -> str:
        """The keyring of field encryption (every key decrypts, the active one encrypts)."""
        return (self.crypt.key_file if self.crypt else "") or f"{self.app}_crypt_key"

    @property
    def blind_index_file(self) -> str:
        return (self.crypt.blind_index_file if self.crypt else "") or f"{self.app}_blind_index_key"


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
