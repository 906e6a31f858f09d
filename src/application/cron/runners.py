"""The three job types: `query_email` (SQL, one templated mail per group), `http` (a request), `service` (IPC)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from application.crypt.ports import FieldSealing
from application.ports.database import Database
from domain.cron import JobFailure, JobSpec
from domain.crypt import Sealed
from domain.errors import DomainError
from domain.query.statement import Row
from domain.schema.model import Table

from .ports import HttpClient, MailQueue, RunContext, ServiceCaller

MAX_RESULT = 2000  # characters of a response or result kept in the run history


def query_params(ctx: RunContext) -> dict[str, Any]:
    """The parameters every query_email query may use: the firing's date and time, in the app's timezone."""
    local = datetime.fromtimestamp(ctx.fire_time, ZoneInfo(ctx.job.timezone))
    utc = datetime.fromtimestamp(ctx.fire_time, UTC)
    return {
        "today": local.date().isoformat(),
        "now": local.strftime("%Y-%m-%d %H:%M:%S"),
        "now_utc": utc.strftime("%Y-%m-%d %H:%M:%S"),
        "fire_time": int(ctx.fire_time),
    }


def group_rows(rows: list[Row], column: str) -> list[tuple[Any, list[Row]]]:
    """Rows grouped by the value of `column`, groups in order of first appearance."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        if column not in row:
            raise JobFailure(f"group_by column {column!r} is not in the query's result", retryable=False)
        groups.setdefault(row[column], []).append(row)
    return list(groups.items())


class AppTables(Protocol):
    def table(self, app_id: str, name: str) -> Table | None:
        """A table of the app's schema.yaml (None when it has none, or no such table)."""
        ...


async def open_encrypted(app_id: str, spec: JobSpec, rows: list[Row], sealer: FieldSealing, tables: AppTables) -> None:
    """Decrypt the columns the job declares under `decrypt:`; a column holding a ciphertext it does not declare
    fails the job (a mail never carries a ciphertext, nor is a value guessed to belong to some field)."""
    for column, how in spec.decrypt.items():
        table_name, field_name = how.field.split(".")
        table = tables.table(app_id, table_name)
        if table is None or field_name not in table.encrypted:
            raise JobFailure(f"decrypt: {how.field} is not an encrypted field of the app's schema", retryable=False)
        keyed = [r for r in rows if r.get(column) is not None]
        if any(how.key not in r for r in keyed):
            raise JobFailure(f"decrypt: the row key column {how.key!r} is not in the query's result", retryable=False)
        views = [{"_k": r[how.key], field_name: r[column]} for r in keyed]
        try:
            await sealer.open(app_id, table, views, "_k")
        except DomainError as exc:
            raise JobFailure(f"decrypt {column}: {exc.message}", retryable=False) from None
        for r, v in zip(keyed, views, strict=True):
            r[column] = v[field_name]
    for row in rows[:1]:
        for column, value in row.items():
            if column not in spec.decrypt and Sealed.parse(value) is not None:
                raise JobFailure(
                    f"column {column!r} holds encrypted values: declare it under `decrypt:` "
                    "({field: table.field, key: <row key column>})",
                    retryable=False,
                )


class QueryEmailRunner:
    """Runs the job's query and queues one templated mail per group of rows.

    The template gets the group's first row's columns (user_name, email...) plus `rows` (and `rows_as`,
    e.g. `tasks`) holding every row of the group. A group already mailed in an earlier attempt of the
    same run is not mailed again.
    """

    def __init__(
        self, database: Database, mail: MailQueue, sealer: FieldSealing, tables: AppTables | None = None
    ) -> None:
        self._db, self._mail = database, mail
        self._sealer, self._tables = sealer, tables or _NoTables()

    async def run(self, ctx: RunContext) -> dict[str, Any]:
        job, spec = ctx.job, ctx.job.spec
        rows = await self._db.query(job.app, spec.query, {**spec.params, **query_params(ctx)})
        await open_encrypted(job.app, spec, rows, self._sealer, self._tables)
        groups = group_rows(rows, spec.group_by)
        sent: dict[str, Any] = ctx.state.setdefault("sent", {})
        no_address = 0
        for key, group in groups:
            mark = repr(key)
            if mark in sent:
                continue
            first = group[0]
            to = first.get(spec.to_field)
            if not to:
                no_address += 1
                continue
            data: dict[str, Any] = {**first, "rows": group}
            if spec.rows_as:
                data[spec.rows_as] = group
            answer = await self._mail.send_template(job.app, spec.template, str(to), data)
            sent[mark] = answer.message_id
        return {"rows": len(rows), "groups": len(groups), "mails": len(sent), "without_address": no_address}


class HttpJobRunner:
    """One request; a 2xx answer is a success, 5xx/408/429 are retried, other statuses fail at once."""

    def __init__(self, http: HttpClient) -> None:
        self._http = http

    async def run(self, ctx: RunContext) -> dict[str, Any]:
        spec = ctx.job.spec
        response = await self._http.request(
            spec.method.upper(),
            spec.url,
            headers=dict(spec.headers),
            body=spec.body,
            timeout=spec.timeout_seconds,
            allow_private=spec.allow_private,
        )
        if 200 <= response.status < 300:
            return {"status": response.status, "body": response.body[:MAX_RESULT]}
        raise JobFailure(
            f"HTTP {response.status} from {spec.url}: {response.body[:200]}",
            retryable=response.status >= 500 or response.status in (408, 429),
        )


class ServiceJobRunner:
    """Calls `action` of the sogoms-`service` service; `app_id` is always the job's own app."""

    def __init__(self, services: ServiceCaller) -> None:
        self._services = services

    async def run(self, ctx: RunContext) -> dict[str, Any]:
        job, spec = ctx.job, ctx.job.spec
        params = {**spec.params, "app_id": job.app}
        result = await self._services.call(spec.service, spec.action, params, spec.timeout_seconds)
        text = json.dumps(result, default=str)
        if len(text) > MAX_RESULT:
            return {"result_truncated": text[:MAX_RESULT]}
        return {"result": result}


class _NoTables:
    def table(self, app_id: str, name: str) -> Table | None:
        return None
