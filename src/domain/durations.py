"""Human durations as written in YAML ("90s", "5m", "24h", "30d", "1h30m")."""

from __future__ import annotations

import functools
import re

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")


@functools.lru_cache(maxsize=256)  # pure, and read on every request (token leeway)
def parse_duration(text: str | int | float) -> float:
    """Seconds in `text`; a bare number is seconds. Raises ValueError naming the bad text."""
    if isinstance(text, bool):
        raise ValueError(f"expected a duration like '30s', '5m', '24h', '30d', got {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"a duration cannot be negative, got {text!r}")
        return float(text)
    s = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", s):
        return float(s)
    pos, total = 0, 0.0
    for m in _PART.finditer(s):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(s) or not s:
        raise ValueError(f"expected a duration like '30s', '5m', '24h', '30d', got {text!r}")
    return total


def check_durations(obj: object, *names: str) -> None:
    """ValueError naming the first attribute of `obj` that is not a duration ("`jwt_expiry`: expected ...")."""
    for name in names:
        try:
            parse_duration(getattr(obj, name))
        except ValueError as exc:
            raise ValueError(f"`{name}`: {exc}") from None
