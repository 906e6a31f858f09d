"""A schema table's list plan: one row more than the page, a total order, cursors that fit it or are refused."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qsl

import pytest

from domain.errors import BadRequest
from domain.query.cursor import CursorCodec
from domain.query.listing import parse_list_params
from domain.query.plan import plan_list
from domain.schema.model import Field, FieldType, Table

CODEC = CursorCodec(b"k" * 32)
NOTES = Table(
    "notes",
    {
        "id": Field(FieldType.INT, "id", primary=True, auto=True),
        "title": Field(FieldType.STRING, "title", nullable=False),
        "rank": Field(FieldType.INT, "rank"),
        "secret": Field(FieldType.STRING, "secret", hidden=True),
    },
    order="rank DESC",
)


def plan(query: str, table: Table = NOTES):
    return plan_list(table, parse_list_params(parse_qsl(query, keep_blank_values=True)), None, CODEC)


def test_the_page_asks_one_row_more_than_the_limit() -> None:
    assert plan("limit=10").limit == 11


def test_the_default_order_is_made_total_and_may_be_paged_by_cursor() -> None:
    p = plan("")
    assert p.sort == (("rank", True), ("id", True)) and p.cursor is not None


def test_a_cursor_made_for_a_list_positions_the_next_page() -> None:
    first = plan("sort=title")
    token = CODEC.encode(first.cursor, ["Roof", 3])
    after = plan(f"sort=title&after={token}")
    assert after.seek == ("Roof", 3) and not after.backward
    before = plan(f"sort=title&before={token}")
    assert before.backward and before.sort == (("title", True), ("id", True))


def test_a_cursor_with_a_value_of_the_wrong_type_is_refused_even_signed() -> None:
    binding = plan("sort=rank").cursor
    for values in (["x", 3], [1, "3"], [True, 3], [1, None]):
        with pytest.raises(BadRequest, match="Invalid cursor"):
            plan(f"sort=rank&after={CODEC.encode(binding, values)}")
    assert plan(f"sort=rank&after={CODEC.encode(binding, [None, 3])}").seek == (None, 3)  # rank may be NULL


def test_an_order_on_a_hidden_field_gives_no_cursor_that_would_show_its_values() -> None:
    hidden_order = replace(NOTES, order="secret ASC")
    assert plan("", hidden_order).cursor is None
    with pytest.raises(BadRequest, match="cannot be paged by cursor"):
        plan("after=a.b", hidden_order)


def test_an_order_written_as_an_expression_is_kept_without_cursors() -> None:
    expression = replace(NOTES, order="LOWER(title)")
    p = plan("", expression)
    assert (p.sort, p.cursor) == ((), None)
    with pytest.raises(BadRequest, match="give sort="):
        plan("before=a.b", expression)
    assert plan("sort=title&after=" + CODEC.encode(plan("sort=title", expression).cursor, ["a", 1]), expression).seek
