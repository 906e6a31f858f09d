"""Checks for names that end up in SQL or file paths (tables, columns, apps)."""

from __future__ import annotations

import re

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_APP = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")


def is_identifier(name: str) -> bool:
    return bool(_IDENT.match(name))


def check_identifier(name: str, what: str = "identifier") -> str:
    """`name` if it is a safe SQL identifier, else ValueError."""
    if not is_identifier(name):
        raise ValueError(f"{what} {name!r} is not a valid identifier (letters, digits, _; not starting with a digit)")
    return name


def check_app_name(name: str) -> str:
    if not _APP.match(name):
        raise ValueError(f"app name {name!r} must be lowercase letters, digits, '-' or '_', starting with a letter")
    return name


def normalize_host(host: str) -> str:
    """Lowercase host without port or trailing dot ('Prokov.Localhost.:8080' -> 'prokov.localhost')."""
    h = host.strip().lower()
    if h.startswith("["):  # IPv6 literal, maybe with a port
        end = h.find("]")
        return h[: end + 1] if end != -1 else h
    if h.count(":") == 1:
        h = h.split(":", 1)[0]
    return h.rstrip(".")


def is_int_text(text: str) -> bool:
    """ASCII digits only, short enough for a 64-bit integer ('³' and '٣' are digits to str.isdigit)."""
    return 0 < len(text) < 19 and text.isascii() and text.isdigit()
