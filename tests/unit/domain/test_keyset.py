"""Keyset conditions walk any order, ties and NULLs included, exactly as ORDER BY does: no row skipped or repeated."""

from __future__ import annotations

import itertools
import random
import sqlite3

import pytest

from domain.query.keyset import SeekKey, parse_order, reversed_order, seek_condition, unique_order


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a INT, b TEXT, c INT NOT NULL)")
    rnd = random.Random(7)
    rows = [(i, rnd.choice([None, 1, 2, 3]), rnd.choice([None, "x", "y"]), rnd.choice([1, 2])) for i in range(1, 121)]
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    return conn


def _walk(conn: sqlite3.Connection, sort: tuple[tuple[str, bool], ...], page: int) -> list[int]:
    """Every id, page by page, each page started strictly after the last row of the one before."""
    nullable = {"id": False, "a": True, "b": True, "c": False}
    keys = [SeekKey(name, desc, nullable[name]) for name, desc in sort]
    order = ", ".join(f"{n} {'DESC' if d else 'ASC'}" for n, d in sort)
    cols = ", ".join(n for n, _ in sort)
    seen: list[int] = []
    last: tuple | None = None
    while True:
        where, params = ("1 = 1", {}) if last is None else seek_condition(keys, last)
        rows = conn.execute(f"SELECT {cols}, id FROM t WHERE {where} ORDER BY {order} LIMIT {page}", params).fetchall()
        if not rows:
            return seen
        seen += [r[-1] for r in rows]
        last = tuple(rows[-1][: len(sort)])


ORDERS = [
    (("a", False),),
    (("a", True),),
    (("b", False), ("a", True)),
    (("c", True), ("b", True)),
    (("a", False), ("b", False), ("c", True)),
]


@pytest.mark.parametrize("sort", ORDERS)
@pytest.mark.parametrize("page", [1, 7, 50])
def test_paging_by_keyset_gives_the_same_rows_as_one_ordered_read(db, sort, page) -> None:
    total = unique_order(sort, "id")
    order = ", ".join(f"{n} {'DESC' if d else 'ASC'}" for n, d in total)
    expected = [r[0] for r in db.execute(f"SELECT id FROM t ORDER BY {order}")]
    assert _walk(db, total, page) == expected


@pytest.mark.parametrize("sort", ORDERS)
def test_the_reversed_order_walks_the_same_rows_backwards(db, sort) -> None:
    total = unique_order(sort, "id")
    assert _walk(db, reversed_order(total), 9) == list(reversed(_walk(db, total, 9)))


def test_every_null_pattern_of_a_cursor_is_handled(db) -> None:
    sort = unique_order((("a", True), ("b", False)), "id")
    keys = [SeekKey(n, d) for n, d in sort]
    order = "a DESC, b ASC, id ASC"
    ordered = db.execute(f"SELECT a, b, id FROM t ORDER BY {order}").fetchall()
    for index, row in enumerate(ordered):
        where, params = seek_condition(keys, row)
        after = [r[0] for r in db.execute(f"SELECT id FROM t WHERE {where} ORDER BY {order}", params)]
        assert after == [r[2] for r in ordered[index + 1 :]], row


def test_the_primary_key_breaks_ties_in_the_direction_of_the_last_key() -> None:
    assert unique_order((("position", True),), "id") == (("position", True), ("id", True))
    assert unique_order((("id", False), ("name", True)), "id") == (("id", False), ("name", True))
    assert unique_order((), "id") == (("id", False),)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("position ASC, id ASC", (("position", False), ("id", False))),
        ("e.expense_date DESC, e.id", (("e.expense_date", True), ("e.id", False))),
        ("", ()),
        ("LOWER(name)", None),
        ("name COLLATE nocase", None),
        ("position ASC NULLS LAST", None),
    ],
)
def test_an_order_is_read_as_plain_columns_or_not_at_all(text, parsed) -> None:
    assert parse_order(text) == parsed


def test_values_are_bound_never_written_into_the_condition() -> None:
    hostile = "x' OR '1'='1"
    sql, params = seek_condition([SeekKey("b", False), SeekKey("id", False, False)], (hostile, 3))
    assert hostile not in sql and params == {"_k0": hostile, "_k1": 3}


def test_a_leading_range_lets_an_index_seek() -> None:
    sql, _ = seek_condition([SeekKey("position", True, False), SeekKey("id", True, False)], (5, 10))
    assert sql.startswith("position <= :_k0 AND (")


def test_all_orders_of_three_keys_agree(db) -> None:
    for names in itertools.permutations(("a", "b", "c")):
        for dirs in itertools.product((False, True), repeat=3):
            total = unique_order(tuple(zip(names, dirs, strict=True)), "id")
            order = ", ".join(f"{n} {'DESC' if d else 'ASC'}" for n, d in total)
            assert _walk(db, total, 13) == [r[0] for r in db.execute(f"SELECT id FROM t ORDER BY {order}")]
