"""croniter behind the Schedule port: DST rules in Europe/Paris, and fire times that agree both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.schedule.croniter_schedule import CroniterSchedule, check_expression

PARIS = ZoneInfo("Europe/Paris")
S = CroniterSchedule()


def walk(expr: str, start: datetime, count: int, tz: str = "Europe/Paris") -> list[str]:
    t, out = start.timestamp(), []
    for _ in range(count):
        t = S.next_after(expr, tz, t)
        out.append(datetime.fromtimestamp(t, ZoneInfo(tz)).isoformat())
    return out


def test_spring_forward_runs_a_skipped_time_once_at_the_end_of_the_gap():
    start = datetime(2026, 3, 28, 12, tzinfo=PARIS)
    assert walk("30 2 * * *", start, 2) == ["2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]
    assert walk("0 * * * *", datetime(2026, 3, 29, 0, 30, tzinfo=PARIS), 3) == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T04:00:00+02:00",
    ]
    every_minute = walk("* * * * *", datetime(2026, 3, 29, 1, 58, tzinfo=PARIS), 3)
    assert every_minute == ["2026-03-29T01:59:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:01:00+02:00"]


def test_fall_back_runs_a_repeated_time_once_unless_the_job_fires_every_hour():
    start = datetime(2026, 10, 24, 12, tzinfo=PARIS)
    assert walk("30 2 * * *", start, 2) == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]
    assert walk("30 * * * *", datetime(2026, 10, 25, 1, 45, tzinfo=PARIS), 3) == [
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:30:00+01:00",
        "2026-10-25T03:30:00+01:00",
    ]


def test_latest_at_or_before_agrees_on_dst_days():
    at = datetime(2026, 3, 29, 3, 30, tzinfo=PARIS).timestamp()
    latest = S.latest_at_or_before("30 2 * * *", "Europe/Paris", at)
    assert datetime.fromtimestamp(latest, PARIS).isoformat() == "2026-03-29T03:00:00+02:00"  # type: ignore[arg-type]
    second_pass = datetime(2026, 10, 25, 2, 40, tzinfo=PARIS, fold=1).timestamp()
    latest = S.latest_at_or_before("30 2 * * *", "Europe/Paris", second_pass)
    assert datetime.fromtimestamp(latest, UTC).isoformat() == "2026-10-25T00:30:00+00:00"  # type: ignore[arg-type]
    latest = S.latest_at_or_before("30 * * * *", "Europe/Paris", second_pass)
    assert datetime.fromtimestamp(latest, UTC).isoformat() == "2026-10-25T01:30:00+00:00"  # type: ignore[arg-type]


def test_a_time_exactly_on_a_firing():
    t = datetime(2026, 5, 4, 8, tzinfo=PARIS).timestamp()
    assert S.latest_at_or_before("0 8 * * 1-5", "Europe/Paris", t) == t
    assert S.next_after("0 8 * * 1-5", "Europe/Paris", t) == t + 86400


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("61 * * * *", "invalid cron expression"),
        ("0 8 * * 1-9", "invalid cron expression"),
        ("0 0 30 2 *", "never fires"),
        ("0 8 * *", "5-field"),
        ("* * * * * *", "5-field"),
    ],
)
def test_bad_expressions_say_why(expr, message):
    with pytest.raises(ValueError, match=message):
        check_expression(expr)


EXPRESSIONS = ["* * * * *", "*/7 * * * *", "30 2 * * *", "0 * * * *", "15 1-3 * * *", "0 8 * * 1-5", "@daily"]


@settings(max_examples=150, deadline=None)
@given(
    expr=st.sampled_from(EXPRESSIONS),
    tz=st.sampled_from(["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "UTC"]),
    start=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
)
def test_fire_times_increase_and_both_directions_agree(expr, tz, start):
    t = start.replace(tzinfo=UTC).timestamp()
    nxt = S.next_after(expr, tz, t)
    assert nxt > t
    assert S.latest_at_or_before(expr, tz, nxt) == nxt
    before = S.latest_at_or_before(expr, tz, nxt - 1)
    assert before is not None and before <= t
    assert nxt - t <= timedelta(days=7).total_seconds()
