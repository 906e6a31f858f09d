"""The Schedule port on croniter: 5-field expressions matched on the app's wall clock, mapped to real instants.

croniter only matches wall-clock (naive) times; this module decides what a wall time means on DST days:
- a wall time skipped by a spring-forward (02:30 in Europe/Paris on the last Sunday of March) fires at the
  first instant after the gap (03:00 local), once, even when several skipped times map there;
- a wall time repeated by a fall-back (02:30 happens twice on the last Sunday of October) fires once, at
  its first occurrence, unless the job fires every hour (`*` in the hour field): such a job follows real
  time and also fires during the repeated hour.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterError, croniter

from domain.cron import hour_is_wildcard, normalize_schedule

_MARGIN = timedelta(hours=3)  # more than any DST shift: candidates this far around a transition are examined
_LIMIT = 20000
_SECOND = timedelta(seconds=1)


def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; ValueError naming it when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r} (expected an IANA name like Europe/Paris or UTC)") from exc


def check_expression(expression: str) -> str:
    """The normalized 5-field expression; ValueError saying what is wrong (bad field, never fires)."""
    expr = normalize_schedule(expression)
    if not croniter.is_valid(expr):
        try:
            croniter(expr)
        except (CroniterError, ValueError) as exc:
            raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None
        raise ValueError(f"invalid cron expression {expression!r}")
    try:
        croniter(expr, datetime(2000, 1, 1)).get_next(datetime)
    except (CroniterBadDateError, CroniterBadCronError):
        raise ValueError(f"cron expression {expression!r} never fires") from None
    return expr


def _wall(ts: float, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(ts, tz).replace(tzinfo=None, microsecond=0)


def _plain(wall: datetime, tz: ZoneInfo) -> bool:
    """True when `wall` happens exactly once (neither skipped nor repeated by a DST change)."""
    return wall.replace(tzinfo=tz, fold=0).utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset()


def _gap_end(wall: datetime, tz: ZoneInfo) -> float:
    """The first instant after the DST gap that swallowed `wall` (binary search on whole seconds)."""
    before, after = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    target = after.utcoffset()
    lo = int(wall.replace(tzinfo=UTC).timestamp() - after.utcoffset().total_seconds())  # type: ignore[union-attr]
    hi = int(wall.replace(tzinfo=UTC).timestamp() - before.utcoffset().total_seconds())  # type: ignore[union-attr]
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == target:
            hi = mid
        else:
            lo = mid + 1
    return float(lo)


def _instants(wall: datetime, tz: ZoneInfo, both_passes: bool) -> list[float]:
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    off0, off1 = first.utcoffset(), second.utcoffset()
    if off0 == off1:
        return [first.timestamp()]
    if off0 is not None and off1 is not None and off0 < off1:  # skipped by a spring-forward
        return [_gap_end(wall, tz)]
    return [first.timestamp(), second.timestamp()] if both_passes else [first.timestamp()]


class CroniterSchedule:
    """Implements Schedule."""

    def __init__(self) -> None:
        self._zones: dict[str, ZoneInfo] = {}

    def _zone(self, name: str) -> ZoneInfo:
        tz = self._zones.get(name)
        if tz is None:
            tz = self._zones[name] = zone(name)
        return tz

    def next_after(self, expression: str, timezone: str, after: float) -> float:
        expr, tz = normalize_schedule(expression), self._zone(timezone)
        local = _wall(after, tz)
        first: datetime = croniter(expr, local).get_next(datetime)
        if _plain(local, tz) and _plain(first, tz):
            return first.replace(tzinfo=tz).timestamp()
        both = hour_is_wildcard(expr)
        it = croniter(expr, local - _MARGIN)
        best: float | None = None
        best_wall = local
        for _ in range(_LIMIT):
            wall: datetime = it.get_next(datetime)
            if best is not None and wall - _MARGIN > best_wall:
                return best
            for t in _instants(wall, tz, both):
                if t > after and (best is None or t < best):
                    best, best_wall = t, _wall(t, tz)
        if best is None:
            raise ValueError(f"{expression!r} does not fire after {after}")
        return best

    def latest_at_or_before(self, expression: str, timezone: str, at: float) -> float | None:
        expr, tz = normalize_schedule(expression), self._zone(timezone)
        local = _wall(at, tz)
        try:
            prev: datetime = croniter(expr, local + _SECOND).get_prev(datetime)
        except CroniterBadDateError:
            return None
        if _plain(local, tz) and _plain(prev, tz):
            t = prev.replace(tzinfo=tz).timestamp()
            return t if t <= at else None
        both = hour_is_wildcard(expr)
        it = croniter(expr, local + _MARGIN + _SECOND)
        best: float | None = None
        best_wall = local
        for _ in range(_LIMIT):
            try:
                wall: datetime = it.get_prev(datetime)
            except CroniterBadDateError:
                break
            if best is not None and wall + _MARGIN < best_wall:
                break
            for t in _instants(wall, tz, both):
                if t <= at and (best is None or t > best):
                    best, best_wall = t, _wall(t, tz)
        return best
