"""The job types: query_email groups rows into one mail each, http judges statuses, service forces app_id."""

from __future__ import annotations

import pytest

from application.cron.ports import HttpResponse, RunContext
from application.cron.runners import HttpJobRunner, QueryEmailRunner, ServiceJobRunner, query_params
from application.crypt.fields import FieldSealer
from domain.cron import Job, JobFailure, RetryPolicy
from domain.errors import Unavailable
from domain.query.statement import Row
from tests.fakes.cron import FakeHttpClient, FakeMailQueue, FakeServiceCaller
from tests.fakes.database import FakeRows
from tests.unit.cron.conftest import paris, spec

ROWS: list[Row] = [
    {"user_id": 1, "email": "ana@prokov.test", "user_name": "Ana", "title": "Order tiles"},
    {"user_id": 1, "email": "ana@prokov.test", "user_name": "Ana", "title": "Book the scaffolding"},
    {"user_id": 2, "email": "ben@prokov.test", "user_name": "Ben", "title": "Buy apple trees"},
    {"user_id": 4, "email": None, "user_name": "Nobody", "title": "Lost"},
]


def ctx(job_spec, fire: float = paris(2026, 5, 4, 8, 0), tz: str = "Europe/Paris") -> RunContext:
    return RunContext(Job("prokov", "job", job_spec, RetryPolicy(), tz), 1, fire, fire)


def mail_job(**kw):
    return spec("0 8 * * 1-5", "query_email", query="SELECT 1", group_by="user_id", template="tasks_today", **kw)


async def test_query_email_sends_one_mail_per_group_with_its_rows():
    db, mail = FakeRows(ROWS), FakeMailQueue()
    result = await QueryEmailRunner(db, mail, FieldSealer()).run(
        ctx(mail_job(rows_as="tasks", params={"limit_days": 3}))
    )
    assert [(m.to, [r["title"] for r in m.data["tasks"]]) for m in mail.sent] == [
        ("ana@prokov.test", ["Order tiles", "Book the scaffolding"]),
        ("ben@prokov.test", ["Buy apple trees"]),
    ]
    ana = mail.sent[0]
    assert (ana.app_id, ana.template, ana.data["user_name"], ana.data["rows"]) == (
        "prokov",
        "tasks_today",
        "Ana",
        ROWS[:2],
    )
    assert result == {"rows": 4, "groups": 3, "mails": 2, "without_address": 1}
    assert db.asked[0][2] == {
        "limit_days": 3,
        "today": "2026-05-04",
        "now": "2026-05-04 08:00:00",
        "now_utc": "2026-05-04 06:00:00",
        "fire_time": int(paris(2026, 5, 4, 8, 0)),
    }


def test_today_is_the_apps_date_not_utcs():
    late = paris(2026, 5, 5, 0, 30)  # 22:30 UTC on the 4th
    assert query_params(ctx(mail_job(), late))["today"] == "2026-05-05"
    assert query_params(ctx(mail_job(), late, "UTC"))["today"] == "2026-05-04"


async def test_a_retry_does_not_mail_a_group_twice():
    mail = FakeMailQueue()
    mail.fail_for["ben@prokov.test"] = Unavailable("smtp down")
    runner, context = QueryEmailRunner(FakeRows(ROWS), mail, FieldSealer()), ctx(mail_job())
    with pytest.raises(Unavailable):
        await runner.run(context)
    context.attempt = 2
    await runner.run(context)
    assert [m.to for m in mail.sent] == ["ana@prokov.test", "ben@prokov.test"]


async def test_to_field_and_missing_group_column():
    mail = FakeMailQueue()
    rows = [{"owner": 7, "contact": "c@x.test"}]
    job = spec("* * * * *", "query_email", query="SELECT 1", group_by="owner", template="t", to_field="contact")
    await QueryEmailRunner(FakeRows(rows), mail, FieldSealer()).run(ctx(job))
    assert [m.to for m in mail.sent] == ["c@x.test"]
    with pytest.raises(JobFailure, match="group_by column 'user_id'") as err:
        await QueryEmailRunner(FakeRows(rows), mail, FieldSealer()).run(ctx(mail_job()))
    assert err.value.retryable is False


async def test_http_job_success_and_failures():
    def http_job(**kw):
        return spec("* * * * *", "http", url="https://hooks.example.com/x", method="post", body={"a": 1}, **kw)

    client = FakeHttpClient(HttpResponse(204, ""), HttpResponse(503, "busy"), HttpResponse(404, "no"))
    runner = HttpJobRunner(client)
    assert await runner.run(ctx(http_job(timeout="20s"))) == {"status": 204, "body": ""}
    call = client.calls[0]
    assert (call.method, call.body, call.timeout, call.allow_private) == ("POST", {"a": 1}, 20.0, False)
    with pytest.raises(JobFailure, match="HTTP 503") as busy:
        await runner.run(ctx(http_job()))
    assert busy.value.retryable
    with pytest.raises(JobFailure, match="HTTP 404") as missing:
        await runner.run(ctx(http_job()))
    assert not missing.value.retryable


async def test_service_job_always_calls_for_its_own_app():
    services = FakeServiceCaller(result={"message_id": "m1"})
    job = spec("* * * * *", "service", service="smtp", action="send", params={"app_id": "koprogo", "to": "a@b.c"})
    assert await ServiceJobRunner(services).run(ctx(job)) == {"result": {"message_id": "m1"}}
    assert services.calls == [("smtp", "send", {"app_id": "prokov", "to": "a@b.c"})]
    services.result = {"big": "x" * 5000}
    assert "result_truncated" in await ServiceJobRunner(services).run(ctx(job))
