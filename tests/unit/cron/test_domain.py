"""Jobs as declared: which keys each job type takes, schedules, retry and file-level settings."""

from __future__ import annotations

import pytest

from domain.cron import CronFile, JobSpec, RetryPolicy, hour_is_wildcard, normalize_schedule


def problems(**kw):
    return dict(JobSpec(**kw).problems())


def test_a_complete_query_email_job_has_no_problem():
    job = JobSpec(
        schedule="0 8 * * 1-5", type="query_email", query="SELECT 1", group_by="user_id", template="tasks_today"
    )
    assert job.problems() == []


def test_unknown_type_is_named_with_the_known_ones():
    assert problems(schedule="* * * * *", type="shell") == {
        "type": "unknown job type 'shell' (expected one of: query_email, http, service)"
    }


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"type": "query_email", "group_by": "user_id", "template": "t"}, "query"),
        ({"type": "query_email", "query": "DELETE FROM users", "group_by": "u", "template": "t"}, "query"),
        ({"type": "query_email", "query": "SELECT 1", "template": "t"}, "group_by"),
        ({"type": "query_email", "query": "SELECT 1", "group_by": "u"}, "template"),
        ({"type": "http"}, "url"),
        ({"type": "http", "url": "ftp://example.com/x"}, "url"),
        ({"type": "http", "url": "https://example.com", "method": "TRACE"}, "method"),
        ({"type": "service", "action": "send"}, "service"),
        ({"type": "service", "service": "smtp"}, "action"),
        ({"type": "service", "service": "../etc", "action": "x"}, "service"),
    ],
)
def test_missing_or_bad_keys_are_named(kw, key):
    assert key in problems(schedule="* * * * *", **kw)


def test_keys_of_another_type_are_refused():
    found = problems(schedule="* * * * *", type="http", url="https://example.com", template="tasks_today")
    assert found == {"template": "does not apply to a http job"}
    found = problems(schedule="* * * * *", type="service", service="smtp", action="send", allow_private=True)
    assert found == {"allow_private": "does not apply to a service job"}


def test_query_params_may_not_shadow_the_runners_own():
    found = problems(
        schedule="* * * * *", type="query_email", query="SELECT 1", group_by="u", template="t", params={"today": "x"}
    )
    assert "params.today" in found


@pytest.mark.parametrize("timeout", ["0s", "2d", "soon"])
def test_timeout_must_be_a_positive_duration_up_to_a_day(timeout):
    assert "timeout" in problems(schedule="* * * * *", type="service", service="smtp", action="x", timeout=timeout)


def test_schedule_macros_and_field_count():
    assert normalize_schedule("@daily") == "0 0 * * *"
    assert normalize_schedule("  0  8 * *   1-5 ") == "0 8 * * 1-5"
    with pytest.raises(ValueError, match="5-field"):
        normalize_schedule("0 0 8 * * 1-5")
    with pytest.raises(ValueError, match="unknown schedule macro"):
        normalize_schedule("@fortnightly")
    assert "schedule" in problems(schedule="* * *", type="service", service="smtp", action="x")


def test_hour_wildcard_decides_the_fall_back_rule():
    assert hour_is_wildcard("*/15 * * * *")
    assert hour_is_wildcard("@hourly")
    assert not hour_is_wildcard("30 2 * * *")
    assert not hour_is_wildcard("0 */2 * * *")


def test_retry_and_file_limits():
    assert RetryPolicy(3, "5m").delay_seconds == 300
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(0)
    with pytest.raises(ValueError):
        RetryPolicy(2, "later")
    with pytest.raises(ValueError, match="history_days"):
        CronFile(history_days=0)
    with pytest.raises(ValueError, match="job name"):
        CronFile(jobs={"bad name": {}})
