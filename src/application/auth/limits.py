"""Taking slots out of several rate-limit buckets at once: all of them, or none (and the refusal)."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from application.ports.auth_store import RateLimits, Refusal, Slot
from domain.errors import DomainError


async def take_slots(
    limits: RateLimits, scope: str, buckets: Sequence[tuple[str, int]], window: int, now: int
) -> list[Slot] | Refusal:
    """A slot of each `(bucket, limit)`, reserved before the work they limit; when one bucket is full, the slots
    already taken are given back and its refusal is returned."""
    taken: list[Slot] = []
    for bucket, limit in buckets:
        got = await limits.reserve(scope, bucket, limit, window, now)
        if isinstance(got, Refusal):
            await give_back(limits, scope, taken)
            return got
        taken.append(got)
    return taken


async def give_back(limits: RateLimits, scope: str, slots: Sequence[Slot]) -> None:
    """Releases slots of attempts that did not count (best effort: a database hiccup here only costs the
    caller one attempt of its allowance, so it must not turn a success into an error)."""
    for slot in slots:
        with contextlib.suppress(DomainError):
            await limits.release(scope, slot)
