"""Schema, Table and Field judge themselves: bad declarations refused, input coerced or listed field by field."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.query.relations import relations_of
from domain.schema.model import Field, FieldType, Schema, Table


def table(table_name: str = "projects", /, **fields: Field) -> Table:
    base = {"id": Field(FieldType.INT, "id", primary=True, auto=True)}
    base.update({n: Field(f.type, n, **_flags(f)) for n, f in fields.items()})
    return Table(table_name, base)


def _flags(f: Field) -> dict:
    return {
        k: getattr(f, k)
        for k in ("required", "nullable", "default", "max_length", "hidden", "foreign", "filter", "unique")
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"type": FieldType.STRING, "name": "bad name"}, "field"),
        ({"type": FieldType.INT, "name": "user_id", "filter": "mine"}, "filter must be 'owner'"),
        ({"type": FieldType.STRING, "name": "email", "auth": "token"}, "auth must be"),
        ({"type": FieldType.INT, "name": "project_id", "foreign": "projects"}, "foreign must be 'table.field'"),
        ({"type": FieldType.INT, "name": "project_id", "foreign": "pro jects.id"}, "foreign table"),
        ({"type": FieldType.STRING, "name": "title", "max_length": 0}, "max_length"),
        ({"type": FieldType.STRING, "name": "code", "auto": True}, "auto applies only to int"),
    ],
)
def test_a_field_refuses_a_bad_declaration(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Field(**kwargs)


def test_a_bad_type_is_not_a_field_type():
    with pytest.raises(ValueError):
        FieldType("boolean")


def test_a_table_refuses_bad_names_and_operations():
    fields = {"id": Field(FieldType.INT, "id", primary=True)}
    with pytest.raises(ValueError, match="table"):
        Table("drop table", fields)
    with pytest.raises(ValueError, match="crud operation 'purge'"):
        Table("t", fields, crud=("list", "purge"))
    with pytest.raises(ValueError, match=r"roles\.user"):
        Table("t", fields, roles={"user": ("list", "erase")})
    with pytest.raises(ValueError, match="unique_together names 'nope'"):
        Table("t", fields, unique_together=(("id", "nope"),))


def test_schema_problems_name_the_table_and_field():
    tasks = table("tasks", project_id=Field(FieldType.INT, foreign="projects.id"))
    assert Schema({"tasks": tasks}).problems() == ["tasks.project_id: foreign table 'projects' is not in the schema"]
    projects = table("projects")
    wrong_field = table("tasks", project_id=Field(FieldType.INT, foreign="projects.uid"))
    assert Schema({"projects": projects, "tasks": wrong_field}).problems() == [
        "tasks.project_id: foreign field 'projects.uid' does not exist"
    ]
    two_owners = table("notes", a=Field(FieldType.INT, filter="owner"), b=Field(FieldType.INT, filter="owner"))
    assert Schema({"notes": two_owners}).problems() == ["table notes has more than one `filter: owner` field"]
    two_keys = Table(
        "pairs", {"a": Field(FieldType.INT, "a", primary=True), "b": Field(FieldType.INT, "b", primary=True)}
    )
    assert Schema({"pairs": two_keys}).problems() == ["table pairs has more than one primary field"]
    assert Schema({"empty": Table("empty", {})}).problems() == ["table empty has no fields"]
    assert Schema({"projects": projects, "tasks": tasks}).problems() == []


def test_validate_lists_every_bad_field_and_ignores_what_is_not_writable():
    t = table(
        user_id=Field(FieldType.INT, filter="owner", nullable=False),
        name=Field(FieldType.STRING, required=True, max_length=5),
        done=Field(FieldType.BOOL, nullable=False, default=0),
        due=Field(FieldType.DATE),
        at=Field(FieldType.DATETIME),
        score=Field(FieldType.FLOAT),
        meta=Field(FieldType.JSON),
    )
    with pytest.raises(InvalidInput) as caught:
        t.validate({"name": "too long", "done": "yes", "due": "someday", "score": "high"}, partial=False)
    assert sorted(e.field for e in caught.value.field_errors) == ["done", "due", "name", "score"]
    with pytest.raises(InvalidInput) as missing:
        t.validate({}, partial=False)
    assert [e.field for e in missing.value.field_errors] == ["name"]
    assert t.validate({}, partial=True) == {}
    values = t.validate(
        {"id": 9, "user_id": 2, "name": "Roof", "done": 1, "at": "2025-01-02T03:04:05+01:00", "meta": {"a": [1]}},
        partial=False,
    )
    assert values == {"name": "Roof", "done": True, "at": "2025-01-02 02:04:05", "meta": {"a": [1]}}


@pytest.mark.parametrize(
    ("ftype", "value", "stored"),
    [
        (FieldType.INT, 3.0, 3),
        (FieldType.FLOAT, 2, 2.0),
        (FieldType.BOOL, 0, False),
        (FieldType.DATE, "2025-02-03", "2025-02-03"),
        (FieldType.DATETIME, "2025-02-03T04:05:06Z", "2025-02-03 04:05:06"),
        (FieldType.STRING, "é" * 255, "é" * 255),
    ],
)
def test_coerce_keeps_good_values(ftype, value, stored):
    assert Field(ftype, "f").coerce(value) == stored


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (Field(FieldType.INT, "n"), True),
        (Field(FieldType.INT, "n"), 2**63),
        (Field(FieldType.INT, "n"), "1"),
        (Field(FieldType.FLOAT, "x"), float("nan")),
        (Field(FieldType.BOOL, "b"), 2),
        (Field(FieldType.STRING, "s"), "x" * 256),
        (Field(FieldType.STRING, "s"), "a\x00b"),
        (Field(FieldType.DATE, "d"), "2025-02-30"),
        (Field(FieldType.DATETIME, "t"), 12),
        (Field(FieldType.STRING, "s", required=True), None),
    ],
)
def test_coerce_refuses_bad_values(field, value):
    with pytest.raises(ValueError):
        field.coerce(value)


def test_present_shows_rows_the_same_on_every_database():
    t = table(done=Field(FieldType.BOOL), at=Field(FieldType.DATETIME), meta=Field(FieldType.JSON))
    assert t.present({"id": 1, "done": 1, "at": "2025-01-02 03:04:05", "meta": '{"a": 1}'}) == {
        "id": 1,
        "done": True,
        "at": "2025-01-02T03:04:05Z",
        "meta": {"a": 1},
    }


def test_owner_primary_key_visible_fields_and_roles():
    t = table(user_id=Field(FieldType.INT, filter="owner"), secret=Field(FieldType.STRING, hidden=True))
    assert t.owner_field == "user_id"
    assert t.primary_key == "id"
    assert "secret" not in t.visible_fields()
    assert "user_id" not in t.writable_fields() and "id" not in t.writable_fields()
    roles = Table("r", dict(t.fields), roles={"admin": ("list", "delete"), "default": ("list",)})
    assert roles.allows("admin", "delete") and not roles.allows("user", "delete") and roles.allows("user", "list")
    assert not Table("n", dict(t.fields), crud=()).allows("admin", "list")


def test_relations_are_named_from_foreign_keys():
    projects = table("projects")
    tasks = table("tasks", project_id=Field(FieldType.INT, foreign="projects.id"))
    schema = Schema({"projects": projects, "tasks": tasks})
    one = relations_of(schema, tasks)["project"]
    many = relations_of(schema, projects)["tasks"]
    assert (one.kind, one.table, one.local, one.remote) == ("one", "projects", "project_id", "id")
    assert (many.kind, many.table, many.local, many.remote) == ("many", "tasks", "id", "project_id")


def test_encrypting_a_string_column_widens_it_without_a_destructive_step() -> None:
    from domain.schema.diff import diff_schemas

    def owners(email: Field) -> Schema:
        return Schema({"owners": Table("owners", {"id": Field(FieldType.INT, "id", primary=True), "email": email})})

    live = owners(Field(FieldType.STRING, "email"))
    declared = owners(Field(FieldType.STRING, "email", encrypted=True, blind_index=True))
    changes = {(c.kind, c.column): c.destructive for c in diff_schemas(declared, live)}
    assert changes == {("alter_column", "email"): False, ("add_column", "email_bidx"): False}
    narrowing = diff_schemas(live, owners(Field(FieldType.TEXT, "email")))
    assert [c.destructive for c in narrowing if c.column == "email"] == [True]
