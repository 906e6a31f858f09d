"""One page cut from the `limit + 1` rows fetched: whether more follow, and the cursors to the next and previous."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.query.cursor import CursorCodec, cursor_value
from domain.query.listing import ListParams

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Window:
    rows: list[Row]
    has_more: bool  # rows follow this page in the list's order
    next: str | None = None  # cursor for `after=`: the page after this one
    prev: str | None = None  # cursor for `before=`: the page before this one


def _position(codec: CursorCodec, binding: str, keys: Sequence[str], row: Row) -> str | None:
    try:
        return codec.encode(binding, [cursor_value(row.get(k)) for k in keys])
    except ValueError:
        return None


def cut_window(
    rows: list[Row],
    params: ListParams,
    keys: Sequence[str],
    backward: bool,
    codec: CursorCodec | None,
    binding: str | None,
) -> Window:
    """`rows` were fetched with `limit + 1` in the list's order (reversed for a `before` page); `keys` are the
    columns of that order, whose values each cursor carries. No cursors when the order cannot carry them."""
    more = len(rows) > params.limit
    if more:
        del rows[params.limit :]
    if backward:
        rows.reverse()
    if codec is None or binding is None or not rows:
        # a `before` page is followed by the page its cursor came from
        return Window(rows, has_more=backward or more)
    first = _position(codec, binding, keys, rows[0])
    last = _position(codec, binding, keys, rows[-1])
    if backward:
        return Window(rows, has_more=True, next=last, prev=first if more else None)
    started_inside = params.after is not None or params.offset > 0
    return Window(rows, has_more=more, next=last if more else None, prev=first if started_inside else None)
