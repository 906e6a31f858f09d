"""Safe edits of a configured SELECT: add a condition, an order, a page, a column; list its `:params`.

The scanner skips quoted strings, quoted identifiers, comments and parenthesised sub-queries,
so only the statement's own top-level clauses are touched. Values are never spliced in:
everything added is SQL written by the platform or the app's configuration, with `:params`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_PARAM = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")
_CLAUSES = ("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FOR", "UNION", "EXCEPT", "INTERSECT")


@dataclass(frozen=True, slots=True)
class _Token:
    word: str  # upper-cased keyword
    start: int
    end: int


@lru_cache(maxsize=2048)
def _scan(sql: str) -> tuple[list[_Token], list[tuple[int, str]], list[int]]:
    """Top-level words (depth 0, outside strings/comments), every `:param` and every `?` with its position."""
    words: list[_Token] = []
    params: list[tuple[int, str]] = []
    marks: list[int] = []
    i, n, depth = 0, len(sql), 0
    while i < n:
        c = sql[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if sql[j] == "\\" and c != "`":
                    j += 2
                    continue
                if sql[j] == c:
                    if j + 1 < n and sql[j + 1] == c:  # doubled quote
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif (c == "-" and sql.startswith("--", i)) or c == "#":
            j = sql.find("\n", i)
            i = n if j == -1 else j + 1
        elif c == "/" and sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            i = n if j == -1 else j + 2
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
                words.append(_Token(m.group(0).upper(), m.start(), m.end()))
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


def placeholders(sql: str) -> frozenset[str]:
    """Names of the `:params` the statement uses."""
    return frozenset(name for _, name in _scan(sql)[1])


def _clause_bounds(sql: str, words: list[_Token], keyword: str) -> tuple[int, int] | None:
    """(start of the keyword, end of its clause) for the first top-level `keyword`."""
    for idx, tok in enumerate(words):
        if tok.word == keyword:
            for nxt in words[idx + 1 :]:
                if nxt.word in _CLAUSES and nxt.word != keyword:
                    return tok.start, nxt.start
            return tok.start, len(sql.rstrip().rstrip(";").rstrip())
    return None


def _first(words: list[_Token], names: tuple[str, ...]) -> int | None:
    for tok in words:
        if tok.word in names:
            return tok.start
    return None


def _strip(sql: str) -> str:
    return sql.strip().rstrip(";").rstrip()


def is_compound(sql: str) -> bool:
    words = _scan(sql)[0]
    return any(t.word in ("UNION", "EXCEPT", "INTERSECT") for t in words)


def add_condition(sql: str, condition: str) -> str:
    """The statement restricted by `condition`, AND-ed with any WHERE it has (which is parenthesised)."""
    condition = condition.strip()
    if not condition:
        return sql
    sql = _strip(sql)
    if is_compound(sql):
        return f"SELECT * FROM ({sql}) AS _sogoms_q WHERE ({condition})"
    words = _scan(sql)[0]
    where = _clause_bounds(sql, words, "WHERE")
    if where is not None:
        start, end = where
        existing = sql[start + len("WHERE") : end].strip()
        return f"{sql[:start]}WHERE ({existing}) AND ({condition}) {sql[end:]}".rstrip()
    cut = _first(words, ("GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FOR"))
    if cut is None:
        return f"{sql} WHERE ({condition})"
    return f"{sql[:cut]}WHERE ({condition}) {sql[cut:]}".rstrip()


def has_clause(sql: str, keyword: str) -> bool:
    words = _scan(sql)[0]
    return any(t.word == keyword.upper() for t in words)


def with_order(sql: str, order: str) -> str:
    """Append `ORDER BY order` unless the statement already orders itself."""
    sql = _strip(sql)
    if not order or has_clause(sql, "ORDER"):
        return sql
    words = _scan(sql)[0]
    cut = _first(words, ("LIMIT", "OFFSET", "FOR"))
    if cut is None:
        return f"{sql} ORDER BY {order}"
    return f"{sql[:cut]}ORDER BY {order} {sql[cut:]}".rstrip()


def with_page(sql: str, limit_param: str = "_limit", offset_param: str = "_offset") -> str:
    """Append LIMIT/OFFSET placeholders (the statement must not already page itself)."""
    sql = _strip(sql)
    if has_clause(sql, "LIMIT"):
        return f"SELECT * FROM ({sql}) AS _sogoms_p LIMIT :{limit_param} OFFSET :{offset_param}"
    return f"{sql} LIMIT :{limit_param} OFFSET :{offset_param}"


def add_select_column(sql: str, expression: str) -> str | None:
    """Add `expression` to the top-level SELECT list, or None when that would change the meaning."""
    sql = _strip(sql)
    words = _scan(sql)[0]
    if not words or words[0].word != "SELECT" or is_compound(sql):
        return None
    if any(t.word in ("DISTINCT", "GROUP", "HAVING") for t in words):
        return None
    cut = _first(words, ("FROM",))
    if cut is None:
        return None
    return f"{sql[:cut].rstrip()}, {expression} {sql[cut:]}"


def count_statement(sql: str) -> str:
    """A statement counting the rows `sql` would return (without its ORDER BY / page)."""
    sql = _strip(sql)
    words = _scan(sql)[0]
    order = _first(words, ("ORDER",))
    if order is not None and not is_compound(sql):
        tail = _first([w for w in words if w.start > order], ("LIMIT", "OFFSET", "FOR"))
        sql = sql[:order] + (sql[tail:] if tail is not None else "")
    return f"SELECT COUNT(*) AS total FROM ({sql.strip()}) AS _sogoms_c"


def split_statements(script: str) -> list[str]:
    """The statements of a SQL script, split on top-level `;` (strings and comments respected)."""
    out: list[str] = []
    start, i, n = 0, 0, len(script)
    while i < n:
        c = script[i]
        if c in "'\"`":
            j = i + 1
            while j < n:
                if script[j] == "\\" and c != "`":
                    j += 2
                    continue
                if script[j] == c:
                    if j + 1 < n and script[j + 1] == c:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif script.startswith("--", i):
            j = script.find("\n", i)
            i = n if j == -1 else j + 1
        elif script.startswith("/*", i):
            j = script.find("*/", i + 2)
            i = n if j == -1 else j + 2
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


_SIMPLE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)$")
_ALIASED = re.compile(r"^(.*?)\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*)$", re.IGNORECASE | re.DOTALL)


def select_columns(sql: str) -> dict[str, str | None] | None:
    """Output column -> the plain column it reads (`t.done`), or None when computed; None if `*` is selected.

    Only the top-level SELECT list of a simple statement is read; anything unusual gives None.
    """
    sql = _strip(sql)
    words = _scan(sql)[0]
    if not words or words[0].word != "SELECT" or is_compound(sql):
        return None
    start = words[0].end
    if len(words) > 1 and words[1].word == "DISTINCT":
        start = words[1].end
    cut = _first(words, ("FROM",))
    if cut is None:
        return None
    items = _split_top(sql[start:cut])
    found: dict[str, str | None] = {}
    for item in items:
        item = item.strip()
        if item == "*" or item.endswith(".*"):
            return None
        simple = _SIMPLE.match(item)
        if simple:
            found[simple.group(1)] = item
            continue
        aliased = _ALIASED.match(item)
        if not aliased:
            return None
        expr, alias = aliased.group(1).strip(), aliased.group(2)
        found[alias] = expr if _SIMPLE.match(expr) else None
    return found


def _split_top(text: str) -> list[str]:
    parts, depth, start, quote = [], 0, 0, ""
    for i, c in enumerate(text):
        if quote:
            if c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def replace_order(sql: str, order: str) -> str:
    """The statement ordered by `order` instead of any ORDER BY it had."""
    sql = _strip(sql)
    words = _scan(sql)[0]
    start = _first(words, ("ORDER",))
    if start is None:
        return with_order(sql, order)
    tail = _first([w for w in words if w.start > start], ("LIMIT", "OFFSET", "FOR"))
    rest = sql[tail:] if tail is not None else ""
    return f"{sql[:start]}ORDER BY {order} {rest}".rstrip()
