"""The stored form of an encrypted value, what it is bound to, and which schemas may encrypt a field."""

from __future__ import annotations

import pytest

from domain.crypt import Sealed, associated_data, blind_input, next_key_id, plain_text, plain_value
from domain.schema.model import Field, FieldType, Table


def test_a_stored_value_names_its_key_and_says_whether_it_is_pending() -> None:
    bound = Sealed.parse("v1:k2:QUJD")
    assert bound == Sealed("k2", "QUJD", pending=False)
    assert bound.text() == "v1:k2:QUJD"
    assert Sealed.parse("v1p:k1:QUJD") == Sealed("k1", "QUJD", pending=True)


@pytest.mark.parametrize("value", [None, 12, "", "hello", "v1", "v1:", "v1:k1", "v1:k1:", "v2:k1:QUJD", "v1:k 1:QUJD"])
def test_anything_else_is_not_a_stored_value(value: object) -> None:
    assert Sealed.parse(value) is None


def test_associated_data_differs_for_each_app_table_column_and_row() -> None:
    base = ("prokov", "tasks", "description", "12")
    variants = {
        associated_data(*base),
        associated_data("koprogo", "tasks", "description", "12"),
        associated_data("prokov", "projects", "description", "12"),
        associated_data("prokov", "tasks", "title", "12"),
        associated_data("prokov", "tasks", "description", "13"),
        associated_data("prokov", "tasks", "description", "", pending=True),
        # no concatenation trick makes two different tuples equal
        associated_data("prokov", "tasks", "descriptio", "n12"),
    }
    assert len(variants) == 7
    assert blind_input("a", "t", "c", "x") != blind_input("a", "t", "c2", "x")


def test_values_of_every_type_survive_their_text_form() -> None:
    cases = [
        (FieldType.STRING, "Ana Dupont"),
        (FieldType.TEXT, "lines\nand ünïcode ✓"),
        (FieldType.DATE, "2025-01-15"),
        (FieldType.INT, 42),
        (FieldType.FLOAT, 3.5),
        (FieldType.BOOL, True),
        (FieldType.JSON, {"tags": ["a", "b"], "n": 1}),
    ]
    for ftype, value in cases:
        assert plain_value(ftype, plain_text(ftype, value)) == value


def test_key_ids_count_up() -> None:
    assert next_key_id([]) == "k1"
    assert next_key_id(["k1", "k3", "old"]) == "k4"


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"blind_index": True}, "blind_index applies only to an encrypted field"),
        ({"encrypted": True, "primary": True, "type": FieldType.INT}, "`primary`"),
        ({"encrypted": True, "foreign": "users.id", "type": FieldType.INT}, "`foreign`"),
        ({"encrypted": True, "filter": "owner", "type": FieldType.INT}, "`filter`"),
        ({"encrypted": True, "auth": "password"}, "passwords are stored as hashes"),
        ({"encrypted": True, "unique": True}, "needs `blind_index: true`"),
        ({"encrypted": True, "auth": "login"}, "needs `blind_index: true`"),
        ({"encrypted": True, "default": "x"}, "plain text"),
    ],
)
def test_an_encrypted_field_refuses_what_ciphertext_cannot_keep(attrs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("`", ".").replace("(", ".")):
        Field(name="email", **attrs)


def test_an_encrypted_field_needs_its_table_to_have_a_primary_key() -> None:
    with pytest.raises(ValueError, match="no `primary` field"):
        Table("notes", {"body": Field(name="body", encrypted=True)})


def test_the_database_holds_ciphertext_as_text_and_the_unique_index_on_the_sibling() -> None:
    email = Field(
        name="email",
        type=FieldType.STRING,
        max_length=255,
        unique=True,
        required=True,
        encrypted=True,
        blind_index=True,
    )
    table = Table(
        "owners",
        {
            "id": Field(name="id", type=FieldType.INT, primary=True, auto=True),
            "email": email,
            "phone": Field(name="phone", max_length=50, encrypted=True),
        },
    )
    assert table.encrypted == ("email", "phone")
    stored = table.stored_fields()
    assert list(stored) == ["id", "email", "email_bidx", "phone"]
    assert stored["email"].type is FieldType.TEXT and not stored["email"].unique and not stored["email"].is_nullable
    assert stored["email_bidx"].unique and stored["email_bidx"].max_length == 64
    assert stored["phone"].type is FieldType.TEXT
    plain = Table("t", {"id": Field(name="id", type=FieldType.INT, primary=True)})
    assert plain.stored_fields() is plain.fields and plain.encrypted == ()


def test_a_declared_field_may_not_take_the_blind_index_column_name() -> None:
    with pytest.raises(ValueError, match="clashes"):
        Table(
            "t",
            {
                "id": Field(name="id", type=FieldType.INT, primary=True),
                "email": Field(name="email", encrypted=True, blind_index=True),
                "email_bidx": Field(name="email_bidx"),
            },
        )
