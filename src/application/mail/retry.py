"""When to try a message again: exponential backoff with jitter, capped, for a bounded number of attempts."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Attempt n (1-based) that failed temporarily waits about `base * 2**(n-1)` seconds, at most `cap`.

    `jitter` spreads each delay by up to that fraction either way, so messages deferred together
    (an outage, a greylisting server) do not come back together. After `max_attempts` a message fails.
    """

    max_attempts: int = 12
    base: float = 30.0
    cap: float = 3600.0
    jitter: float = 0.2

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base <= 0 or self.cap < self.base:
            raise ValueError("retry delays must be positive, with cap >= base")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempt: int, rand: float) -> float:
        """Seconds to wait after failed attempt `attempt`; `rand` is uniform in [0, 1)."""
        raw = self.base * 2.0 ** min(max(attempt, 1) - 1, 62)
        spread = 1.0 + self.jitter * (2.0 * rand - 1.0)
        return min(self.cap, raw * spread)
