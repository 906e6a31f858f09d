"""Default settings of the mail stack (kept apart so the gateway reads them without loading the mail libraries)."""

from __future__ import annotations

from typing import Any

MAIL_DEFAULTS: dict[str, Any] = {
    "secrets": "var/secrets",
    "ca_file": None,
    "max_attempts": 12,
    "retry_base": 30.0,
    "retry_cap": 3600.0,
    "lease": 120.0,
    "poll": 1.0,
    "keep": 30 * 86400.0,
}


def mail_config(**overrides: Any) -> dict[str, Any]:
    return {**MAIL_DEFAULTS, **{k: v for k, v in overrides.items() if v is not None}}
