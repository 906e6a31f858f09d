"""The RuleMatcher: globs (fnmatch, case-insensitive) and `re:` regexes run by `regex` with a time limit."""

from __future__ import annotations

import fnmatch
import functools
import logging
from typing import Any

import regex

from domain.mail.inbound import Match
from domain.mail.inbound_message import InboundMessage

log = logging.getLogger("sogoms.mailproc")
REGEX_TIMEOUT = 0.1  # seconds one pattern may run against one field
MAX_BODY = 64 * 1024  # characters of the body a pattern sees


def check_pattern(pattern: str) -> None:
    """ValueError when a `re:` pattern does not compile (the rules file is refused)."""
    if pattern.startswith("re:"):
        try:
            _compiled(pattern)
        except regex.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None


@functools.lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Any:
    if pattern.startswith("re:"):
        return regex.compile(pattern[3:], regex.IGNORECASE)
    return regex.compile(fnmatch.translate(pattern.lower()))


def _matches(pattern: str, values: list[str]) -> bool:
    compiled = _compiled(pattern)
    glob = not pattern.startswith("re:")
    for value in values:
        text = value.lower() if glob else value
        try:
            found = (
                compiled.fullmatch(text, timeout=REGEX_TIMEOUT)
                if glob
                else compiled.search(text, timeout=REGEX_TIMEOUT)
            )
        except TimeoutError:
            log.warning("pattern %r took too long on a message: treated as no match", pattern[:80])
            continue
        if found:
            return True
    return False


class RegexMatcher:
    """Implements RuleMatcher. `to` is tried on every recipient, with and without its `+tag`."""

    def matches(self, match: Match, message: InboundMessage) -> bool:
        for name, pattern in match.patterns().items():
            if name == "from":
                values = [message.sender.address] if message.sender else [""]
            elif name == "to":
                values = [v for a in message.to for v in dict.fromkeys((a.address, a.base))]
            elif name == "subject":
                values = [message.subject]
            else:
                values = [message.text[:MAX_BODY]]
            if not _matches(pattern, values):
                return False
        return True
