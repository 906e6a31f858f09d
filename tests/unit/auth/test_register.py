"""Sign-up: declared fields only, hashed password, the app's default role, signed in at once."""

from __future__ import annotations

import pytest

from application.auth.register import Register
from domain.errors import Conflict, Forbidden, InvalidInput, RateLimited

from .conftest import AuthWorld, make_app


def sign_up(world: AuthWorld, **body: object) -> Register:
    return Register(world.app, dict(body), "10.0.0.7")


async def test_a_new_user_is_stored_hashed_and_signed_in(world: AuthWorld) -> None:
    session = await world.register(sign_up(world, email=" Bea@Shop.TEST ", name="Bea", password="bea-password"))
    assert world.users.created == [
        ({"email": "bea@shop.test", "name": "Bea", "password": "plain:bea-password"}, "user")
    ]
    assert session.user == {"id": 3, "email": "bea@shop.test", "name": "Bea", "role": "user"}
    assert world.codec.issued[session.token]["sub"] == "3"
    assert world.welcome.sent == [session.user]
    assert world.events("register") == [{"user_id": 3, "email": "bea@shop.test", "ip": "10.0.0.7"}]


async def test_a_body_cannot_choose_its_role_or_id(world: AuthWorld) -> None:
    await world.register(sign_up(world, email="eve@shop.test", password="eve-password", role="admin", id=99))
    values, role = world.users.created[0]
    assert set(values) == {"email", "password"}
    assert role == "user"


async def test_a_taken_email_is_a_conflict(world: AuthWorld) -> None:
    with pytest.raises(Conflict):
        await world.register(sign_up(world, email="ANA@shop.test", password="long-enough"))


async def test_every_problem_is_named(world: AuthWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await world.register(sign_up(world, email="not-an-email", name=5, password="short"))
    assert [(e.field, e.message) for e in err.value.field_errors] == [
        ("email", "must be a valid email address"),
        ("name", "must be a string"),
        ("password", "must be at least 8 characters"),
    ]
    assert world.users.created == []


async def test_required_fields(world: AuthWorld) -> None:
    with pytest.raises(InvalidInput) as err:
        await world.register(sign_up(world, name="Bea"))
    assert [e.field for e in err.value.field_errors] == ["email", "password"]


async def test_registration_closed(world: AuthWorld) -> None:
    world.app = make_app(register=False)
    with pytest.raises(Forbidden, match="Registration is closed"):
        await world.register(sign_up(world, email="bea@shop.test", password="bea-password"))


async def test_sign_ups_per_address_are_capped_within_the_window(world: AuthWorld) -> None:
    limit = world.app.settings.auth.rate_limit.register_per_ip
    for n in range(limit):
        await world.register(sign_up(world, email=f"u{n}@shop.test", password="long-enough"))
    hashed = len(world.users.created)
    with pytest.raises(RateLimited) as refused:
        await world.register(sign_up(world, email="one-more@shop.test", password="long-enough"))
    assert refused.value.retry_after == 60
    assert len(world.users.created) == hashed  # refused before any hash or row
    assert world.events("register_rate_limited") == [{"ip": "10.0.0.7"}]
    # another address is not affected, and the window moves on
    await world.register(Register(world.app, {"email": "elsewhere@shop.test", "password": "long-enough"}, "10.0.0.8"))
    world.clock.set(world.clock.now() + 61)
    await world.register(sign_up(world, email="later@shop.test", password="long-enough"))


async def test_an_invalid_sign_up_is_not_counted(world: AuthWorld) -> None:
    limit = world.app.settings.auth.rate_limit.register_per_ip
    for _ in range(limit + 2):
        with pytest.raises(InvalidInput):
            await world.register(sign_up(world, email="not-an-email", password="x"))
    await world.register(sign_up(world, email="fine@shop.test", password="long-enough"))
