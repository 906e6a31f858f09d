"""Creates and updates through a query file: declared fields only, owner columns from the token, typed input."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.errors import BadRequest, InvalidInput, NotFound
from domain.push import EventKind

from .conftest import ANA, BEN, ROOT, CrudWorld


async def test_create_stores_the_declared_fields_and_reads_the_row_back(crud: CrudWorld) -> None:
    key, row = await crud.create(ANA, {"name": "Shed", "budget": 50, "position": 3})
    assert row == {"id": key, "user_id": 1, "name": "Shed", "budget": 50.0, "position": 3, "archived": False}
    assert crud.row(key) == {"id": key, "user_id": 1, "name": "Shed", "budget": 50.0, "position": 3, "archived": 0}
    [entry] = crud.audit.entries
    assert (entry.app, entry.user_id, entry.resource, entry.record_id, entry.action) == (
        "shop",
        1,
        "projects",
        key,
        "create",
    )


async def test_create_ignores_undeclared_fields(crud: CrudWorld) -> None:
    key, _ = await crud.create(ANA, {"name": "Shed", "archived": True, "id": 77})
    assert key != 77
    assert crud.row(77) is None
    assert crud.row(key)["archived"] == 0  # type: ignore[index]


async def test_the_owner_column_comes_from_the_token_not_the_body(crud: CrudWorld) -> None:
    key, row = await crud.create(ANA, {"name": "Shed", "user_id": 2})
    assert crud.row(key)["user_id"] == 1  # type: ignore[index]
    assert row["user_id"] == 1
    assert "Shed" not in await crud.names(BEN)


async def test_claim_columns_come_from_the_token(crud: CrudWorld) -> None:
    syndic = replace(ANA, claims={"org_id": 5})
    key, _ = await crud.create(syndic, {"label": "Roof repair", "org_id": 6}, resource="expenses")
    assert crud.db.run("shop", "SELECT org_id FROM expenses WHERE id = :id", {"id": key}) == [{"org_id": 5}]


async def test_type_errors_name_every_field(crud: CrudWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await crud.create(ANA, {"name": 5, "budget": "lots", "position": 1.5})
    assert [(e.field, e.message) for e in err.value.field_errors] == [
        ("name", "must be a string"),
        ("budget", "must be a number"),
        ("position", "must be an integer"),
    ]
    assert err.value.code == "VALIDATION_ERROR"
    assert crud.audit.entries == []


async def test_a_required_field_missing_on_create(crud: CrudWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await crud.create(ANA, {"budget": 3})
    assert [(e.field, e.message) for e in err.value.field_errors] == [("name", "is required")]


async def test_too_long_a_string(crud: CrudWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await crud.create(ANA, {"name": "x" * 101})
    assert [(e.field, e.message) for e in err.value.field_errors] == [("name", "must be at most 100 characters")]


async def test_update_changes_only_declared_fields(crud: CrudWorld) -> None:
    key, row = await crud.update(ANA, "1", {"name": "New roof", "archived": True, "user_id": 2, "id": 5})
    assert key == 1
    assert crud.row(1) == {"id": 1, "user_id": 1, "name": "New roof", "budget": 1200.5, "position": 2, "archived": 0}
    assert row["name"] == "New roof"
    [entry] = crud.audit.entries
    assert (entry.action, entry.before, entry.after) == ("update", {"name": "Roof"}, {"name": "New roof"})


async def test_update_of_another_users_row_is_not_found_and_changes_nothing(crud: CrudWorld) -> None:
    with pytest.raises(NotFound):
        await crud.update(BEN, "1", {"name": "Mine now"})
    assert crud.row(1)["name"] == "Roof"  # type: ignore[index]
    assert crud.audit.entries == []


async def test_an_admin_updates_anyones_row(crud: CrudWorld) -> None:
    await crud.update(ROOT, "3", {"budget": 1})
    assert crud.row(3)["budget"] == 1.0  # type: ignore[index]


async def test_update_with_nothing_writable(crud: CrudWorld) -> None:
    with pytest.raises(BadRequest, match="Nothing to update"):
        await crud.update(ANA, "1", {"archived": True})


async def test_update_type_error_names_the_field(crud: CrudWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await crud.update(ANA, "1", {"budget": [1]})
    assert [e.field for e in err.value.field_errors] == ["budget"]
    assert crud.row(1)["budget"] == 1200.5  # type: ignore[index]


async def test_delete_of_another_users_row_is_not_found_and_keeps_it(crud: CrudWorld) -> None:
    with pytest.raises(NotFound):
        await crud.delete(BEN, "1")
    assert crud.row(1) is not None


async def test_delete_own_row(crud: CrudWorld) -> None:
    assert await crud.delete(ANA, "2") == 2
    assert crud.row(2) is None
    [entry] = crud.audit.entries
    assert (entry.action, entry.before["name"], entry.after) == ("delete", "Website", {})


async def test_a_quote_in_a_value_is_data(crud: CrudWorld) -> None:
    name = "x'); DROP TABLE projects; --"
    key, _ = await crud.create(ANA, {"name": name})
    assert crud.row(key)["name"] == name  # type: ignore[index]
    assert len(crud.db.run("shop", "SELECT id FROM projects")) == 4


async def test_every_write_is_told_to_push_after_its_audit_whoever_made_it(crud: CrudWorld) -> None:
    key, row = await crud.create(ANA, {"name": "Shed"})
    _key, after = await crud.update(ROOT, str(key), {"name": "Barn"})
    assert await crud.delete(ANA, str(key)) == key
    assert crud.events.written_events == [
        ("shop", 1, "projects", EventKind.CREATED, key, row),
        ("shop", 9, "projects", EventKind.UPDATED, key, after),
        ("shop", 1, "projects", EventKind.DELETED, key, None),
    ]
    assert [e.action for e in crud.audit.entries] == ["create", "update", "delete"]


async def test_a_refused_write_is_told_to_nobody(crud: CrudWorld) -> None:
    with pytest.raises(NotFound):
        await crud.delete(BEN, "1")
    with pytest.raises(InvalidInput):
        await crud.create(ANA, {"budget": "lots"})
    assert crud.events.written_events == []
