"""Lists and shows through a query file: the filter of the caller's role, else `default`; others' rows unseen."""

from __future__ import annotations

from dataclasses import replace

import pytest

from application.crud.commands import CreateResource, ListResource
from domain.errors import Forbidden, MethodNotAllowed, NotFound

from .conftest import ANA, BEN, ROOT, CrudWorld


async def test_the_default_filter_shows_a_user_their_own_rows_in_order(crud: CrudWorld) -> None:
    assert await crud.names(ANA) == ["Website", "Roof"]
    assert await crud.names(BEN) == ["Garden"]


async def test_the_admin_filter_is_unrestricted(crud: CrudWorld) -> None:
    assert sorted(await crud.names(ROOT)) == ["Garden", "Roof", "Website"]


async def test_a_role_with_its_own_filter_uses_it(crud: CrudWorld) -> None:
    viewer = replace(BEN, role="viewer")
    assert sorted(await crud.names(viewer)) == ["Garden", "Roof"]  # archived = 0, anyone's


async def test_a_role_without_a_filter_of_its_own_gets_default(crud: CrudWorld) -> None:
    assert await crud.names(replace(ANA, role="editor")) == ["Website", "Roof"]


async def test_a_role_named_by_no_filter_and_no_default_is_forbidden(crud: CrudWorld) -> None:
    with pytest.raises(Forbidden, match="Role 'user' may not"):
        await crud.names(ANA, "secrets")
    assert len(await crud.names(ROOT, "secrets")) == 3


async def test_claims_bind_in_filters(crud: CrudWorld) -> None:
    syndic = replace(ANA, claims={"org_id": 5})
    page = await crud.resources.page(ListResource(crud.app, syndic, "expenses"))
    assert [r["label"] for r in page.rows] == ["Paint"]


async def test_the_page_carries_the_total_of_the_filtered_rows_when_asked(crud: CrudWorld) -> None:
    page = await crud.resources.page(crud.list_cmd(ANA, limit=1, count="exact"))
    assert [r["name"] for r in page.rows] == ["Website"]
    assert page.meta() | {"next": None} == {
        "total": 2,
        "count": "exact",
        "limit": 1,
        "offset": 0,
        "has_more": True,
        "next": None,
        "prev": None,
    }
    later = await crud.resources.page(crud.list_cmd(ANA, limit=1, offset=5, count="exact"))
    assert (later.rows, later.total, later.has_more) == ([], 2, False)


async def test_without_count_no_total_is_computed(crud: CrudWorld) -> None:
    crud.db.statements.clear()
    page = await crud.resources.page(crud.list_cmd(ANA, limit=1))
    assert "total" not in page.meta() and page.has_more
    assert len(crud.db.statements) == 1 and "COUNT" not in crud.db.statements[0][1].upper()


async def test_rows_are_presented_by_type(crud: CrudWorld) -> None:
    assert await crud.show(ANA, "1") == {
        "id": 1,
        "user_id": 1,
        "name": "Roof",
        "budget": 1200.5,
        "position": 2,
        "archived": False,
    }


async def test_another_users_row_is_not_found(crud: CrudWorld) -> None:
    with pytest.raises(NotFound):
        await crud.show(BEN, "1")
    assert (await crud.show(ROOT, "1"))["name"] == "Roof"


@pytest.mark.parametrize("key", ["999", "abc", "1 OR 1=1", "1;", "-1", "١"])
async def test_a_key_that_names_no_row_is_not_found(crud: CrudWorld, key: str) -> None:
    with pytest.raises(NotFound):
        await crud.show(ANA, key)


async def test_an_undeclared_operation_is_not_allowed(crud: CrudWorld) -> None:
    with pytest.raises(MethodNotAllowed):
        await crud.resources.create(CreateResource(crud.app, ANA, "read_only", {"name": "x"}))


async def test_an_unknown_resource_is_not_found(crud: CrudWorld) -> None:
    with pytest.raises(NotFound, match="Unknown resource 'nothing'"):
        await crud.names(ANA, "nothing")


async def test_values_are_bound_never_formatted(crud: CrudWorld) -> None:
    syndic = replace(ANA, claims={"org_id": "5 OR 1=1"})
    page = await crud.resources.page(ListResource(crud.app, syndic, "expenses"))
    assert page.rows == []
    assert all("5 OR 1=1" not in sql for _, sql, _ in crud.db.statements)
