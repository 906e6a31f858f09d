"""Scheduled jobs as declared in `config/apps/{app}/cron.yaml` (the seed's format), and their runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from domain.durations import parse_duration
from domain.errors import DomainError
from domain.identifiers import is_identifier


class JobType(StrEnum):
    QUERY_EMAIL = "query_email"
    HTTP = "http"
    SERVICE = "service"


class RunKind(StrEnum):
    SCHEDULE = "schedule"  # fired on time (up to ON_TIME seconds late)
    MISSED = "missed"  # fired late (the service was down or stalled), within the grace period
    MANUAL = "manual"  # `trigger` action


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"
    SKIPPED = "skipped"  # not run: still running from before, or missed by more than the grace period
    ABANDONED = "abandoned"  # its instance died; the lease expired


ON_TIME = 60.0  # a firing at most this late is on time; later it is "missed" and needs the grace period
MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_JOB_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")
_SERVICE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
QUERY_PARAMS = ("today", "now", "now_utc", "fire_time")  # bound by the runner in every query_email query
MAX_TIMEOUT = 86400.0


class JobFailure(DomainError):
    """A job ran and did not succeed (HTTP 500, a refused address...); `retryable` says whether to try again."""

    code = "JOB_FAILED"
    default_message = "The job failed"

    def __init__(self, message: str | None = None, retryable: bool = True) -> None:
        self.retryable = retryable
        super().__init__(message)


def normalize_schedule(expression: str) -> str:
    """The 5-field form of `expression` (macros like `@daily` expanded); ValueError if it is not 5 fields."""
    expr = " ".join(expression.split())
    if expr.startswith("@"):
        if expr.lower() not in MACROS:
            raise ValueError(f"unknown schedule macro {expr!r} (known: {', '.join(MACROS)})")
        return MACROS[expr.lower()]
    if len(expr.split(" ")) != 5:
        raise ValueError(f"{expression!r} is not a 5-field cron expression (minute hour day month weekday)")
    return expr


def hour_is_wildcard(expression: str) -> bool:
    """True when the job fires in every hour (`*`): such a job follows real time through a DST fall-back."""
    return normalize_schedule(expression).split(" ")[1] in ("*", "*/1", "0-23")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 1
    delay: str = "1m"

    def __post_init__(self) -> None:
        if not 1 <= self.max_attempts <= 20:
            raise ValueError("max_attempts must be between 1 and 20")
        parse_duration(self.delay)

    @property
    def delay_seconds(self) -> float:
        return parse_duration(self.delay)


@dataclass(frozen=True, slots=True)
class Decrypt:
    """A result column of a query_email query that holds an encrypted field: which one, and the column holding
    its row's key (the value is bound to it)."""

    field: str  # table.field
    key: str = "id"

    def __post_init__(self) -> None:
        parts = self.field.split(".")
        if len(parts) != 2 or not all(is_identifier(p) for p in parts):
            raise ValueError("field must be 'table.field'")
        if not is_identifier(self.key):
            raise ValueError("key must be a column name")


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One entry of `jobs:`; which keys apply depends on `type` (see `problems`)."""

    schedule: str
    type: str
    enabled: bool = True
    description: str = ""
    timeout: str = "10m"
    retry: RetryPolicy | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # query_email
    query: str = ""
    group_by: str = ""
    template: str = ""
    to_field: str = "email"
    rows_as: str = ""
    decrypt: dict[str, Decrypt] = field(default_factory=dict)  # result column -> the encrypted field it holds
    # http
    url: str = ""
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    allow_private: bool = False
    # service
    service: str = ""
    action: str = ""

    @property
    def job_type(self) -> JobType:
        return JobType(self.type)

    @property
    def timeout_seconds(self) -> float:
        return parse_duration(self.timeout)

    def sql(self) -> tuple[str, ...]:
        """What this job hands to the app's database as SQL: a query_email job's query, or a `service: db` call
        (every action of sogoms-db runs the statement it is given). Running SQL is a power over the app's whole
        database, so adding or changing it needs more than `cron:write` (docs/admin.md)."""
        if self.type == JobType.QUERY_EMAIL.value:
            return (self.query.strip(),)
        if self.type == JobType.SERVICE.value and self.service == "db":
            return (f"db.{self.action} {json.dumps(self.params, sort_keys=True, default=str)}",)
        return ()

    def problems(self) -> list[tuple[str, str]]:
        """(key, what is wrong) for each problem; empty when the job is well formed."""
        try:
            kind = JobType(self.type)
        except ValueError:
            return [("type", f"unknown job type {self.type!r} (expected one of: {', '.join(JobType)})")]
        out: list[tuple[str, str]] = []
        try:
            normalize_schedule(self.schedule)
        except ValueError as exc:
            out.append(("schedule", str(exc)))
        try:
            if not 0 < parse_duration(self.timeout) <= MAX_TIMEOUT:
                out.append(("timeout", "must be more than 0s and at most 24h"))
        except ValueError as exc:
            out.append(("timeout", str(exc)))
        own = {"query_email": _QUERY_EMAIL, "http": _HTTP, "service": _SERVICE_KEYS}[kind.value]
        for f in fields(self):
            if f.name in _OTHER_KEYS and f.name not in own and getattr(self, f.name) != _default(f):
                out.append((f.name, f"does not apply to a {kind.value} job"))
        checks = {JobType.QUERY_EMAIL: self._query_email, JobType.HTTP: self._http, JobType.SERVICE: self._service}
        out.extend(checks[kind]())
        return out

    def _query_email(self) -> list[tuple[str, str]]:
        out = []
        if not self.query.strip().upper().startswith(("SELECT", "WITH")):
            out.append(("query", "is required and must be a SELECT statement"))
        for key in ("group_by", "template", "to_field"):
            if not is_identifier(getattr(self, key)):
                out.append((key, "is required and must be a column or template name (letters, digits, _)"))
        if self.rows_as and (not is_identifier(self.rows_as) or self.rows_as == "rows"):
            out.append(("rows_as", "must be a name (letters, digits, _) other than `rows`"))
        for name in self.params:
            if not is_identifier(str(name)) or name in QUERY_PARAMS:
                out.append(
                    (f"params.{name}", f"must be a name (letters, digits, _) other than {', '.join(QUERY_PARAMS)}")
                )
        return out

    def _http(self) -> list[tuple[str, str]]:
        out = []
        if not re.match(r"^https?://[^/\s?#]+", self.url, re.IGNORECASE):
            out.append(("url", "is required and must be an http:// or https:// URL with a host"))
        if self.method.upper() not in HTTP_METHODS:
            out.append(("method", f"must be one of {', '.join(HTTP_METHODS)}"))
        return out

    def _service(self) -> list[tuple[str, str]]:
        out = []
        if not _SERVICE.match(self.service):
            out.append(("service", "is required: the service name, e.g. smtp (socket sogoms-smtp.1.sock)"))
        if not is_identifier(self.action):
            out.append(("action", "is required: the action to call, e.g. send_template"))
        return out


_QUERY_EMAIL = frozenset({"query", "group_by", "template", "to_field", "rows_as", "params", "decrypt"})
_HTTP = frozenset({"url", "method", "headers", "body", "allow_private"})
_SERVICE_KEYS = frozenset({"service", "action", "params"})
_OTHER_KEYS = _QUERY_EMAIL | _HTTP | _SERVICE_KEYS


def _default(f: Any) -> Any:
    return f.default_factory() if callable(f.default_factory) else f.default


@dataclass(frozen=True, slots=True)
class CronFile:
    """The whole of cron.yaml; `jobs` stays raw here and is checked job by job (errors name the job)."""

    timezone: str = "UTC"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    history_days: int = 7
    grace: str = "1h"
    jobs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 1 <= self.history_days <= 3650:
            raise ValueError("history_days must be between 1 and 3650")
        try:
            parse_duration(self.grace)
        except ValueError as exc:
            raise ValueError(f"grace: {exc}") from None
        for name in self.jobs:
            if not isinstance(name, str) or not _JOB_NAME.match(name):
                raise ValueError(f"job name {name!r} must be letters, digits, '_', '.' or '-' (at most 64)")


@dataclass(frozen=True, slots=True)
class Job:
    """A job ready to run: its app, name, spec, and the retry policy that applies (its own or the app's)."""

    app: str
    name: str
    spec: JobSpec
    retry: RetryPolicy
    timezone: str

    @property
    def schedule(self) -> str:
        return normalize_schedule(self.spec.schedule)

    @property
    def type(self) -> JobType:
        return self.spec.job_type

    @property
    def enabled(self) -> bool:
        return self.spec.enabled


@dataclass(frozen=True, slots=True)
class AppCron:
    """One app's scheduled jobs."""

    app: str
    timezone: str = "UTC"
    grace_seconds: float = 3600.0
    history_days: int = 7
    jobs: dict[str, Job] = field(default_factory=dict)

    @classmethod
    def from_file(cls, app: str, file: CronFile, specs: dict[str, JobSpec]) -> AppCron:
        jobs = {name: Job(app, name, spec, spec.retry or file.retry, file.timezone) for name, spec in specs.items()}
        return cls(app, file.timezone, parse_duration(file.grace), file.history_days, jobs)
