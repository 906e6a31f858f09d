"""The list grammar: `?limit&offset&sort&fields&include&field[op]=v`, then its names checked against a table."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest

from domain.errors import BadRequest
from domain.query.listing import DEFAULT_LIMIT, MAX_LIMIT, Condition, SortKey, parse_list_params
from domain.query.plan import MAX_INCLUDE_DEPTH, Filter, plan_includes, plan_list
from domain.schema.model import Field, FieldType, Schema, Table


def parse(query: str):
    return parse_list_params(parse_qsl(query, keep_blank_values=True))


def test_defaults():
    p = parse("")
    assert (p.limit, p.offset, p.sort, p.conditions, p.fields, p.include) == (DEFAULT_LIMIT, 0, (), (), None, ())


def test_everything_at_once():
    p = parse(
        "limit=10&offset=20&sort=-position,name&fields=id,name&include=tasks.status,project&done=1&position[gte]=2"
    )
    assert (p.limit, p.offset) == (10, 20)
    assert p.sort == (SortKey("position", True), SortKey("name", False))
    assert p.fields == ("id", "name")
    assert p.include == ("tasks.status", "project")
    assert p.conditions == (Condition("done", "eq", "1"), Condition("position", "gte", "2"))


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        f"limit={MAX_LIMIT + 1}",
        "limit=ten",
        "offset=-1",
        "limit=1&limit=2",
        "sort=",
        "sort=a;drop",
        "fields=a b",
        "include=",
        "name[regex]=x",
        "na-me=x",
        "name[eq=x",
    ],
)
def test_syntax_errors_are_bad_requests(query):
    with pytest.raises(BadRequest):
        parse(query)


TASKS = Table(
    "tasks",
    {
        "id": Field(FieldType.INT, "id", primary=True, auto=True),
        "project_id": Field(FieldType.INT, "project_id", foreign="projects.id"),
        "title": Field(FieldType.STRING, "title"),
        "done": Field(FieldType.BOOL, "done"),
        "secret": Field(FieldType.STRING, "secret", hidden=True),
        "meta": Field(FieldType.JSON, "meta"),
    },
)
PROJECTS = Table("projects", {"id": Field(FieldType.INT, "id", primary=True), "name": Field(FieldType.STRING, "name")})
SCHEMA = Schema({"tasks": TASKS, "projects": PROJECTS})


def test_plan_types_the_values_and_keeps_the_order():
    plan = plan_list(TASKS, parse("id[in]=1,2&done=true&title[like]=a%25&project_id[null]=false&sort=-title"), None)
    assert plan.filters == (
        Filter("id", "in", (1, 2)),
        Filter("done", "eq", True),
        Filter("title", "like", "a%"),
        Filter("project_id", "null", False),
    )
    assert plan.sort == (("title", True), ("id", True))  # made total by the key, in the same direction
    assert plan.columns == ("id", "project_id", "title", "done", "meta")


@pytest.mark.parametrize(
    "query",
    [
        "nope=1",
        "secret=x",
        "sort=secret",
        "fields=id,secret",
        "id=abc",
        "done=maybe",
        "id[like]=1",
        "meta=1",
        "project_id[null]=perhaps",
    ],
)
def test_plan_refuses_unknown_hidden_or_mistyped_names(query):
    with pytest.raises(BadRequest):
        plan_list(TASKS, parse(query), None)


def test_includes_are_checked_and_limited_in_depth():
    (node,) = plan_includes(SCHEMA, TASKS, ("project.tasks",))
    assert node.relation.name == "project" and node.children[0].relation.name == "tasks"
    with pytest.raises(BadRequest, match="Unknown include 'owner'"):
        plan_includes(SCHEMA, TASKS, ("owner",))
    deep = ".".join(["project", "tasks"] * MAX_INCLUDE_DEPTH)[: len("project.tasks.project.tasks")]
    with pytest.raises(BadRequest, match="deeper than"):
        plan_includes(SCHEMA, TASKS, (deep,))


def test_count_and_cursors_are_read() -> None:
    p = parse("count=exact&after=abc.def&limit=5")
    assert (p.count, p.after, p.before, p.limit) == ("exact", "abc.def", None, 5)
    assert parse("").count == "none"
    assert parse("before=x.y").before == "x.y"
    assert parse("offset=0&after=x.y").after == "x.y"  # offset 0 says nothing a cursor contradicts


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("count=all", "count"),
        ("count=", "count"),
        ("count=exact&count=none", "more than once"),
        ("after=a.b&before=a.b", "together"),
        ("after=a.b&offset=10", "offset"),
        ("after=", "cursor"),
        ("after=" + "x" * 3000, "cursor"),
        ("after=a&after=b", "more than once"),
    ],
)
def test_count_and_cursor_mistakes_say_what_is_wrong(query: str, message: str) -> None:
    with pytest.raises(BadRequest, match=message):
        parse(query)


def test_a_field_named_count_is_still_filtered_with_an_operator() -> None:
    assert parse("count[eq]=3").conditions == (Condition("count", "eq", "3"),)
