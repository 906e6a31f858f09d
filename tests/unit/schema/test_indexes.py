"""Indexes derived from a schema: each list form's index, pruned; the diff asks for the missing ones only."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from adapters.config.schema_file import schema_from_data
from adapters.config.schema_writer import schema_text
from domain.errors import ConfigError
from domain.schema.diff import diff_schemas
from domain.schema.generate import merge_generated
from domain.schema.indexes import covers, index_name, list_paths, scope_column, wanted_indexes
from domain.schema.model import Schema


def schema(tables: dict) -> Schema:
    return schema_from_data({"version": "1", "tables": tables}, "schema.yaml")


ID = {"type": "int", "primary": True, "auto": True}
OWNER = {"type": "int", "filter": "owner", "nullable": False}


def projects(**extra) -> dict:
    fields = {"id": ID, "user_id": OWNER, "name": {"type": "string"}, "position": {"type": "int"}}
    fields.update(extra.pop("fields", {}))
    return {"fields": fields, **extra}


def test_an_owned_list_wants_owner_then_its_order_then_the_key() -> None:
    t = schema({"projects": projects(order="position ASC, id ASC")}).tables["projects"]
    assert [w.columns for w in wanted_indexes(t)] == [("user_id", "position", "id")]


def test_without_order_the_owner_list_reads_by_key() -> None:
    t = schema({"projects": projects()}).tables["projects"]
    assert [w.columns for w in wanted_indexes(t)] == [("user_id", "id")]


def test_an_indexed_field_is_sortable_within_the_owner() -> None:
    t = schema({"projects": projects(fields={"name": {"type": "string", "index": True}})}).tables["projects"]
    assert [w.columns for w in wanted_indexes(t)] == [("user_id", "id"), ("user_id", "name", "id")]
    assert [p.what for p in list_paths(t)] == ["list", "list sort=name"]


def test_an_indexed_field_filtered_in_the_default_order_has_its_own_index() -> None:
    t = schema({"projects": projects(order="position", fields={"name": {"type": "string", "index": True}})}).tables[
        "projects"
    ]
    assert [w.columns for w in wanted_indexes(t)] == [
        ("user_id", "position", "id"),
        ("user_id", "name", "id"),
        ("user_id", "name", "position", "id"),
    ]


def test_each_role_filter_is_a_list_form_and_an_unfiltered_role_reads_the_whole_order() -> None:
    t = schema({"projects": projects(order="position", filters={"admin": "", "team": "name = :team"})}).tables[
        "projects"
    ]
    assert [w.columns for w in wanted_indexes(t)] == [
        ("user_id", "position", "id"),
        ("position", "id"),
        ("name", "position", "id"),
    ]


def test_a_filter_on_the_key_or_an_expression_needs_no_derived_index() -> None:
    t = schema(
        {
            "orgs": {
                "order": "name",
                "filters": {"default": "id = :organization_id", "odd": "id % 2 = 1 OR name LIKE 'a%'"},
                "fields": {"id": ID, "name": {"type": "string"}},
            }
        }
    ).tables["orgs"]
    assert wanted_indexes(t) == []
    paths = list_paths(t)
    assert [(p.what, p.columns) for p in paths] == [("list as role odd", None)]
    assert "expression" in paths[0].why_not


def test_a_foreign_key_is_indexed_unless_a_longer_index_leads_with_it() -> None:
    s = schema(
        {
            "projects": projects(),
            "tasks": {
                "order": "position",
                "fields": {
                    "id": ID,
                    "user_id": {**OWNER, "foreign": "users.id"},
                    "project_id": {"type": "int", "foreign": "projects.id"},
                    "position": {"type": "int"},
                },
            },
            "users": {"crud": [], "fields": {"id": ID}},
        }
    )
    assert [w.columns for w in wanted_indexes(s.tables["tasks"])] == [("user_id", "position", "id"), ("project_id",)]


def test_unique_columns_and_groups_already_serve_their_lookups() -> None:
    s = schema(
        {
            "units": {
                "order": "building_id, number",
                "unique_together": [["building_id", "number"]],
                "filters": {"default": "building_id IN (SELECT id FROM b WHERE org = :org)"},
                "fields": {"id": ID, "building_id": {"type": "int"}, "number": {"type": "string"}},
            }
        }
    )
    assert wanted_indexes(s.tables["units"]) == []
    assert scope_column("building_id IN (SELECT id FROM b)") == ("building_id",)
    assert scope_column("  ") == ()
    assert scope_column("a = :x AND b = :y") is None


def test_declared_indexes_groups_are_kept_and_checked() -> None:
    t = schema({"projects": projects(indexes=[["name", "position"]])}).tables["projects"]
    assert ("name", "position") in [w.columns for w in wanted_indexes(t)]
    with pytest.raises(ConfigError, match="indexes names 'nope'"):
        schema({"projects": projects(indexes=[["nope"]])})
    with pytest.raises(ConfigError, match="a text field"):
        schema({"projects": projects(fields={"body": {"type": "text"}}, indexes=[["body"]])})
    with pytest.raises(ConfigError, match="`index` cannot apply to a json field"):
        schema({"projects": projects(fields={"doc": {"type": "json", "index": True}})})


def test_an_integer_key_is_implied_at_the_end_of_a_live_index() -> None:
    t = schema({"projects": projects()}).tables["projects"]
    assert covers(("user_id",), ("user_id", "id"), t)
    assert covers(("user_id", "position"), ("user_id", "position", "id"), t)
    assert not covers(("user_id", "name"), ("user_id", "position", "id"), t)
    assert not covers(("position",), ("user_id", "position"), t)


def test_the_diff_adds_only_missing_indexes_and_a_new_table_gets_them_all() -> None:
    declared = schema({"projects": projects(order="position")})
    live_without = replace(declared.tables["projects"], order="", indexes=(("user_id",),))
    changes = diff_schemas(declared, Schema({"projects": live_without}))
    assert [(c.kind, c.columns) for c in changes] == [("add_index", ("user_id", "position", "id"))]
    assert changes[0].describe() == "add index projects (user_id, position, id): list"
    live_with = replace(live_without, indexes=(("user_id", "position"),))
    assert diff_schemas(declared, Schema({"projects": live_with})) == []
    fresh = diff_schemas(declared, Schema({}))
    assert [(c.kind, c.columns) for c in fresh] == [("create_table", ()), ("add_index", ("user_id", "position", "id"))]


def test_an_index_name_fits_mariadb() -> None:
    assert index_name("tasks", ("user_id", "position", "id")) == "ix_tasks_user_id_position_id"
    long = index_name("t" * 60, ("a" * 30, "b" * 30))
    assert len(long) <= 64 and long.startswith("ix_")
    assert long != index_name("t" * 60, ("a" * 30, "c" * 30))


def test_generate_says_only_the_live_indexes_the_schema_would_not_derive() -> None:
    declared = schema({"projects": projects(order="position")})
    live = replace(
        declared.tables["projects"],
        order="",
        indexes=(("user_id", "position"), ("user_id", "name"), ("name", "position")),
    )
    merged = merge_generated(Schema({"projects": live}), declared).tables["projects"]
    assert merged.fields["name"].index  # (owner, name): a sort within the owner
    assert merged.indexes == (("name", "position"),)
    text = schema_text(Schema({"projects": merged}))
    assert "index: true" in text and "indexes: [[name, position]]" in text
    again = schema_from_data(yaml.safe_load(text), "schema.yaml").tables["projects"]
    assert again.fields["name"].index and again.indexes == (("name", "position"),)
    # what `index: true` adds beyond the live (owner, name): `?name=` in the default order
    changes = diff_schemas(Schema({"projects": again}), Schema({"projects": live}))
    assert [(c.kind, c.columns) for c in changes] == [("add_index", ("user_id", "name", "position", "id"))]
