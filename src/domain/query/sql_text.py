"""Reading SQL text: its top-level words, its `:params` and `?` marks, its statements.

The scanner skips quoted strings, quoted identifiers, comments and parenthesised sub-queries, so what it reports
are the statement's own top-level words (for the clause edits of sql_clauses.py) and every placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PARAM = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class Token:
    word: str  # upper-cased keyword
    start: int
    end: int


def _after_quoted(sql: str, i: int) -> int:
    """The index just after the quoted string or identifier opening at `i` (doubled quotes and, except in
    backticks, backslash escapes stay inside; an unclosed one runs to the end)."""
    quote, j, n = sql[i], i + 1, len(sql)
    while j < n:
        if sql[j] == "\\" and quote != "`":
            j += 2
            continue
        if sql[j] == quote:
            if j + 1 < n and sql[j + 1] == quote:  # doubled quote
                j += 2
                continue
            break
        j += 1
    return j + 1


def _after_comment(sql: str, i: int) -> int:
    """The index just after the comment opening at `i` (`--` or `#` to the end of the line, `/* */`)."""
    if sql.startswith("/*", i):
        j = sql.find("*/", i + 2)
        return len(sql) if j == -1 else j + 2
    j = sql.find("\n", i)
    return len(sql) if j == -1 else j + 1


@lru_cache(maxsize=2048)
def _scan(sql: str) -> tuple[list[Token], list[tuple[int, str]], list[int]]:
    """Top-level words (depth 0, outside strings/comments), every `:param` and every `?` with its position."""
    words: list[Token] = []
    params: list[tuple[int, str]] = []
    marks: list[int] = []
    i, n, depth = 0, len(sql), 0
    while i < n:
        c = sql[i]
        if c in "'\"`":
            i = _after_quoted(sql, i)
        elif c == "#" or (c in "-/" and sql.startswith(("--", "/*"), i)):
            i = _after_comment(sql, i)
        elif c == "(":
            depth += 1
            i += 1
        elif c == ")":
            depth -= 1
            i += 1
        elif c == ":" and i + 1 < n and sql[i + 1] != ":" and (i == 0 or sql[i - 1] != ":"):
            m = _PARAM.match(sql, i)
            if m:
                params.append((i, m.group(1)))
                i = m.end()
            else:
                i += 1
        elif c == "?":
            marks.append(i)
            i += 1
        elif c.isalpha() or c == "_":
            m = _WORD.match(sql, i)
            assert m is not None
            if depth == 0:
                words.append(Token(m.group(0).upper(), m.start(), m.end()))
            i = m.end()
        else:
            i += 1
    return words, params, marks


def parameter_positions(sql: str) -> list[tuple[int, str]]:
    """Each `:name` placeholder with the position of its colon, in order."""
    return _scan(sql)[1]


def question_marks(sql: str) -> list[int]:
    """Positions of the seed's positional `?` placeholders (outside strings, identifiers and comments)."""
    return _scan(sql)[2]


@lru_cache(maxsize=2048)
def _positional_form(sql: str) -> tuple[str, tuple[str, ...]]:
    positions = parameter_positions(sql)
    out: list[str] = []
    last = 0
    for pos, name in positions:
        out.append(sql[last:pos])
        out.append("?")
        last = pos + 1 + len(name)
    out.append(sql[last:])
    return "".join(out), tuple(name for _, name in positions)


def to_positional(sql: str, args: dict[str, Any]) -> tuple[str, list[Any]]:
    """The seed's wire form of a `:name` statement: `?` placeholders and the values in their order.

    A name used twice gives its value twice. A name without a value is a KeyError naming it.
    """
    text, names = _positional_form(sql)
    missing = [n for n in names if n not in args]
    if missing:
        raise KeyError(", ".join(dict.fromkeys(missing)))
    return text, [args[n] for n in names]


def placeholders(sql: str) -> frozenset[str]:
    """Names of the `:params` the statement uses."""
    return frozenset(name for _, name in _scan(sql)[1])


def top_level_words(sql: str) -> list[Token]:
    """The statement's own words (outside strings, comments and sub-queries), upper-cased, with their positions."""
    return _scan(sql)[0]


def split_statements(script: str) -> list[str]:
    """The statements of a SQL script, split on top-level `;` (strings and comments respected)."""
    out: list[str] = []
    start, i, n = 0, 0, len(script)
    while i < n:
        c = script[i]
        if c in "'\"`":
            i = _after_quoted(script, i)
        elif script.startswith(("--", "/*"), i):  # `#` is not a comment in a script (SQLite has none)
            i = _after_comment(script, i)
        elif c == ";":
            out.append(script[start:i])
            start = i = i + 1
        else:
            i += 1
    out.append(script[start:])
    return [s.strip() for s in out if _has_code(s)]


def _has_code(chunk: str) -> bool:
    lines = [ln for ln in chunk.strip().splitlines() if ln.strip() and not ln.strip().startswith("--")]
    return bool(lines)
