"""A token is honoured only while its account says the same: the account is read again at most every `max_age`."""

from __future__ import annotations

import asyncio

import pytest

from application.auth.account_check import AccountCheck
from application.auth.authenticate import Authenticator
from domain.errors import Unauthorized

from .conftest import AuthWorld


class Ticks:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def checked(world: AuthWorld) -> tuple[Authenticator, Ticks]:
    ticks = Ticks()
    return Authenticator(world.codec, world.revocations, AccountCheck(world.users, 0.5, ticks)), ticks


def bearer(world: AuthWorld, email: str = "ana@shop.test", password: str = "ana-pass") -> str:
    session = asyncio.run(world.login(world.login_cmd(email, password)))
    return f"Bearer {session.session.token}"


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"role": "admin"}, "role or organization changed"),
        ({"org_id": 6}, "role or organization changed"),
        ({"password": "plain:new-pass"}, "password changed"),
        ({"email": "ana.new@shop.test"}, "no longer active"),
    ],
)
def test_a_change_is_seen_once_the_state_is_older_than_max_age(world: AuthWorld, change, says) -> None:
    authenticate, ticks = checked(world)
    token = bearer(world)
    assert asyncio.run(authenticate(world.app, token)).email == "ana@shop.test"
    world.users.rows[1].update(change)
    ticks.now = 0.4
    assert asyncio.run(authenticate(world.app, token))  # still the state read 0.4 s ago
    ticks.now = 0.6
    with pytest.raises(Unauthorized) as err:
        asyncio.run(authenticate(world.app, token))
    assert says in err.value.message


def test_a_deleted_account_is_refused(world: AuthWorld) -> None:
    authenticate, ticks = checked(world)
    token = bearer(world)
    del world.users.rows[1]
    ticks.now = 1
    with pytest.raises(Unauthorized, match="no longer active"):
        asyncio.run(authenticate(world.app, token))


def test_one_lookup_per_account_and_max_age_whatever_the_requests(world: AuthWorld) -> None:
    authenticate, ticks = checked(world)
    token = bearer(world)
    before = len(world.users.lookups)

    async def burst() -> None:
        await asyncio.gather(*(authenticate(world.app, token) for _ in range(50)))

    asyncio.run(burst())
    assert len(world.users.lookups) == before + 1
    ticks.now = 0.6
    asyncio.run(burst())
    assert len(world.users.lookups) == before + 2


def test_other_columns_change_nothing_and_a_new_sign_in_carries_the_new_state(world: AuthWorld) -> None:
    authenticate, ticks = checked(world)
    token = bearer(world)
    world.users.rows[1]["name"] = "Ana Maria"
    ticks.now = 1
    assert asyncio.run(authenticate(world.app, token))
    world.users.rows[1]["role"] = "admin"
    ticks.now = 2
    with pytest.raises(Unauthorized):
        asyncio.run(authenticate(world.app, token))
    assert asyncio.run(authenticate(world.app, bearer(world))).role == "admin"


def test_a_refresh_family_of_an_older_password_mints_nothing(world: AuthWorld) -> None:
    from application.auth.refresh import Refresh

    session = asyncio.run(world.login(world.login_cmd())).session
    world.users.rows[1]["password"] = "plain:new-pass"
    with pytest.raises(Unauthorized, match="password changed"):
        asyncio.run(world.refresh(Refresh(world.app, session.refresh_token)))
    fresh = asyncio.run(world.login(world.login_cmd(password="new-pass"))).session
    assert asyncio.run(world.refresh(Refresh(world.app, fresh.refresh_token))).token


def test_a_legacy_token_keeps_its_default_role_and_is_refused_once_the_account_is_gone(world: AuthWorld) -> None:
    from domain.principal import Principal

    check = AccountCheck(world.users, 0.5, Ticks())
    world.users.rows[2]["org_id"] = 7
    # the Go system's token of Root: no jti, no role (the app's default given), no claims, no password mark
    legacy = Principal(
        user_id=2, app="shop", role=world.app.settings.auth.default_role, email="root@shop.test", legacy=True
    )
    asyncio.run(check(world.app, legacy))
    elevated = Principal(user_id=2, app="shop", role="superuser", email="root@shop.test", legacy=True)
    with pytest.raises(Unauthorized, match="role or organization changed"):
        asyncio.run(AccountCheck(world.users, 0.5, Ticks())(world.app, elevated))
    del world.users.rows[2]
    with pytest.raises(Unauthorized, match="no longer active"):
        asyncio.run(AccountCheck(world.users, 0.5, Ticks())(world.app, legacy))


def test_a_token_issued_after_the_last_read_is_checked_against_a_new_read(world: AuthWorld) -> None:
    """A sign-in right after a password change: the worker's state (read before it) must not refuse the new token."""
    ticks = Ticks()
    wall = [world.clock.now()]  # the worker read the account at this wall-clock time
    check = AccountCheck(world.users, 0.5, ticks, wall=lambda: wall[0])
    authenticate = Authenticator(world.codec, world.revocations, check)
    old = bearer(world)
    assert asyncio.run(authenticate(world.app, old))  # state cached: the old password's mark
    world.users.rows[1]["password"] = "plain:new-pass"
    world.clock.advance(2)  # the new sign-in is later than that read
    wall[0] = world.clock.now()
    fresh = bearer(world, password="new-pass")
    ticks.now = 0.1  # well within max_age of the cached state
    assert asyncio.run(authenticate(world.app, fresh)).email == "ana@shop.test"
    with pytest.raises(Unauthorized) as err:  # and the old token is refused by the same new read
        asyncio.run(authenticate(world.app, old))
    assert "password changed" in err.value.message
