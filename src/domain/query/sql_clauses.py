"""Safe edits of a configured SELECT: add a condition, an order, a page; count it; read its columns.

Only the statement's own top-level clauses are touched (sql_text.py's scanner finds them). Values are never
spliced in: everything added is SQL written by the platform or the app's configuration, with `:params`.
"""

from __future__ import annotations

import re

from domain.query.sql_text import Token, top_level_words

_CLAUSES = ("WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "FOR", "UNION", "EXCEPT", "INTERSECT")


def _clause_bounds(sql: str, words: list[Token], keyword: str) -> tuple[int, int] | None:
    """(start of the keyword, end of its clause) for the first top-level `keyword`."""
    for idx, tok in enumerate(words):
        if tok.word == keyword:
            for nxt in words[idx + 1 :]:
                if nxt.word in _CLAUSES and nxt.word != keyword:
                    return tok.start, nxt.start
            return tok.start, len(sql.rstrip().rstrip(";").rstrip())
    return None


def _first(words: list[Token], names: tuple[str, ...]) -> int | None:
    for tok in words:
        if tok.word in names:
            return tok.start
    return None


def _strip(sql: str) -> str:
    return sql.strip().rstrip(";").rstrip()


def is_compound(sql: str) -> bool:
    words = top_level_words(sql)
    return any(t.word in ("UNION", "EXCEPT", "INTERSECT") for t in words)


def add_condition(sql: str, condition: str) -> str:
    """The statement restricted by `condition`, AND-ed with any WHERE it has (which is parenthesised)."""
    condition = condition.strip()
    if not condition:
        return sql
    sql = _strip(sql)
    if is_compound(sql):
        return f"SELECT * FROM ({sql}) AS _sogoms_q WHERE ({condition})"
    words = top_level_words(sql)
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
    words = top_level_words(sql)
    return any(t.word == keyword.upper() for t in words)


def with_order(sql: str, order: str) -> str:
    """Append `ORDER BY order` unless the statement already orders itself."""
    sql = _strip(sql)
    if not order or has_clause(sql, "ORDER"):
        return sql
    words = top_level_words(sql)
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


def count_statement(sql: str) -> str:
    """A statement counting the rows `sql` would return (without its ORDER BY / page)."""
    sql = _strip(sql)
    words = top_level_words(sql)
    order = _first(words, ("ORDER",))
    if order is not None and not is_compound(sql):
        tail = _first([w for w in words if w.start > order], ("LIMIT", "OFFSET", "FOR"))
        sql = sql[:order] + (sql[tail:] if tail is not None else "")
    return f"SELECT COUNT(*) AS total FROM ({sql.strip()}) AS _sogoms_c"


_SIMPLE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*\.)?([A-Za-z_][A-Za-z0-9_]*)$")
_ALIASED = re.compile(r"^(.*?)\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*)$", re.IGNORECASE | re.DOTALL)


def select_columns(sql: str) -> dict[str, str | None] | None:
    """Output column -> the plain column it reads (`t.done`), or None when computed; None if `*` is selected.

    Only the top-level SELECT list of a simple statement is read; anything unusual gives None.
    """
    sql = _strip(sql)
    words = top_level_words(sql)
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
    words = top_level_words(sql)
    start = _first(words, ("ORDER",))
    if start is None:
        return with_order(sql, order)
    tail = _first([w for w in words if w.start > start], ("LIMIT", "OFFSET", "FOR"))
    rest = sql[tail:] if tail is not None else ""
    return f"{sql[:start]}ORDER BY {order} {rest}".rstrip()
