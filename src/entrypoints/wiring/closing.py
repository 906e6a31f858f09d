"""Closing what a process opened: one spelling for ports whose adapter may or may not hold a connection."""

from __future__ import annotations

import inspect
import logging

log = logging.getLogger("sogoms.service")


async def aclose(thing: object) -> None:
    """Close one thing the service opened (`close()`, sync or async; nothing when it has none); never raises."""
    close = getattr(thing, "close", None)
    if close is None:
        return
    try:
        result = close()
        if inspect.isawaitable(result):
            await result
    except Exception:
        log.exception("closing %s failed", type(thing).__name__)
