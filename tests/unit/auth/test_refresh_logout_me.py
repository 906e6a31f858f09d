"""Refresh rotates and detects replays; logout really revokes; `me` reads the user fresh."""

from __future__ import annotations

import pytest

from application.auth.logout import Logout
from application.auth.refresh import Refresh
from application.auth.session import Session
from domain.errors import InvalidInput, Unauthorized
from domain.principal import Principal

from .conftest import AuthWorld, make_app


async def signed_in(world: AuthWorld, email: str = "ana@shop.test", password: str = "ana-pass") -> Session:
    return (await world.login(world.login_cmd(email=email, password=password))).session


async def principal(world: AuthWorld, token: str) -> Principal:
    return await world.authenticate(world.app, f"Bearer {token}")


async def test_refresh_rotates_the_pair_within_one_family(world: AuthWorld) -> None:
    first = await signed_in(world)
    world.clock.advance(10)
    second = await world.refresh(Refresh(world.app, first.refresh_token))
    assert second.token != first.token
    assert second.refresh_token != first.refresh_token
    assert (await principal(world, second.token)).user_id == 1
    families = {s.token.family for s in world.refresh_tokens.stored.values()}
    assert len(families) == 1


async def test_a_refresh_token_works_once(world: AuthWorld) -> None:
    first = await signed_in(world)
    await world.refresh(Refresh(world.app, first.refresh_token))
    with pytest.raises(Unauthorized, match="Invalid or expired refresh token"):
        await world.refresh(Refresh(world.app, first.refresh_token))


async def test_a_replayed_refresh_token_revokes_its_whole_family(world: AuthWorld) -> None:
    first = await signed_in(world)
    second = await world.refresh(Refresh(world.app, first.refresh_token))
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, first.refresh_token))  # the thief, or the victim: both lose
    with pytest.raises(Unauthorized, match="revoked"):
        await principal(world, second.token)
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, second.refresh_token))


async def test_a_replay_leaves_other_sessions_alone(world: AuthWorld) -> None:
    phone, laptop = await signed_in(world), await signed_in(world)
    await world.refresh(Refresh(world.app, phone.refresh_token))
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, phone.refresh_token))
    assert (await principal(world, laptop.token)).user_id == 1
    await world.refresh(Refresh(world.app, laptop.refresh_token))


async def test_an_expired_refresh_token_is_refused(world: AuthWorld) -> None:
    first = await signed_in(world)
    world.clock.advance(30 * 86400 + 1)
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, first.refresh_token))


async def test_an_unknown_or_missing_refresh_token(world: AuthWorld) -> None:
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, "made-up"))
    with pytest.raises(InvalidInput) as err:
        await world.refresh(Refresh(world.app, None))
    assert err.value.field_errors[0].field == "refresh_token"


async def test_a_refresh_token_of_one_app_is_refused_by_another(world: AuthWorld) -> None:
    first = await signed_in(world)
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(make_app("other"), first.refresh_token))


async def test_refresh_for_a_deleted_account_is_refused_and_revokes_the_family(world: AuthWorld) -> None:
    first = await signed_in(world)
    del world.users.rows[1]
    with pytest.raises(Unauthorized, match="no longer exists"):
        await world.refresh(Refresh(world.app, first.refresh_token))
    assert all(s.revoked for s in world.refresh_tokens.stored.values())


async def test_refresh_reads_the_role_fresh(world: AuthWorld) -> None:
    first = await signed_in(world)
    world.users.rows[1]["role"] = "admin"
    second = await world.refresh(Refresh(world.app, first.refresh_token))
    assert (await principal(world, second.token)).role == "admin"


async def test_logout_revokes_the_access_token_and_its_refresh_family(world: AuthWorld) -> None:
    session = await signed_in(world)
    me = await principal(world, session.token)
    await world.logout(Logout(world.app, me, client_ip="10.0.0.1"))
    with pytest.raises(Unauthorized, match="Token has been revoked"):
        await principal(world, session.token)
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, session.refresh_token))
    assert world.revocations.denied[("shop", me.jti)] == me.exp
    assert world.events("logout") == [{"user_id": 1, "ip": "10.0.0.1"}]


async def test_logout_after_a_refresh_revokes_the_current_pair(world: AuthWorld) -> None:
    first = await signed_in(world)
    second = await world.refresh(Refresh(world.app, first.refresh_token))
    await world.logout(Logout(world.app, await principal(world, second.token)))
    with pytest.raises(Unauthorized):
        await world.refresh(Refresh(world.app, second.refresh_token))


async def test_logout_with_someone_elses_refresh_token_leaves_their_session(world: AuthWorld) -> None:
    ana, root = await signed_in(world), await signed_in(world, "root@shop.test", "root")
    await world.logout(Logout(world.app, await principal(world, ana.token), refresh_token=root.refresh_token))
    assert (await principal(world, root.token)).user_id == 2


async def test_other_tokens_of_the_same_user_survive_a_logout(world: AuthWorld) -> None:
    phone, laptop = await signed_in(world), await signed_in(world)
    await world.logout(Logout(world.app, await principal(world, phone.token)))
    assert (await principal(world, laptop.token)).user_id == 1


async def test_me_is_read_fresh_without_the_password(world: AuthWorld) -> None:
    session = await signed_in(world)
    world.users.rows[1]["name"] = "Ana Maria"
    me = await world.me(world.app, await principal(world, session.token))
    assert me == {"id": 1, "email": "ana@shop.test", "name": "Ana Maria", "role": "user", "org_id": 5}


async def test_me_for_a_deleted_account(world: AuthWorld) -> None:
    session = await signed_in(world)
    p = await principal(world, session.token)
    del world.users.rows[1]
    with pytest.raises(Unauthorized, match="no longer exists"):
        await world.me(world.app, p)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Missing bearer token"),
        ("", "Missing bearer token"),
        ("Basic YW5hOnB3", "Authorization must be 'Bearer <token>'"),
        ("Bearer ", "Authorization must be 'Bearer <token>'"),
        ("Bearer tok-404", "Invalid token"),
    ],
)
async def test_authenticate_refuses(world: AuthWorld, header: str | None, message: str) -> None:
    with pytest.raises(Unauthorized) as err:
        await world.authenticate(world.app, header)
    assert err.value.message == message


async def test_a_token_of_one_app_is_refused_by_another(world: AuthWorld) -> None:
    session = await signed_in(world)
    with pytest.raises(Unauthorized, match="another app"):
        await world.authenticate(make_app("other"), f"Bearer {session.token}")


async def test_an_expired_access_token_is_refused(world: AuthWorld) -> None:
    session = await signed_in(world)
    world.clock.advance(3600 + 11)  # past expiry and the default 10 s leeway
    with pytest.raises(Unauthorized, match="expired"):
        await principal(world, session.token)


async def test_bearer_scheme_is_case_insensitive_and_claims_carry_through(world: AuthWorld) -> None:
    session = await signed_in(world)
    p = await world.authenticate(world.app, f"bearer {session.token}")
    assert (p.user_id, p.role, p.claims) == (1, "user", {"org_id": 5})


async def test_a_rotation_racing_a_replay_elsewhere_issues_nothing_usable(world: AuthWorld) -> None:
    """Two hosts receive one refresh token at once: the one that claims it must not hand out a live pair when
    the other, seeing a replay, revoked the family before the new token was stored."""
    first = await signed_in(world)
    consume = world.refresh_tokens.consume

    async def claimed_then_replayed_elsewhere(app: str, token_hash: str, now: int, owner: str | None = None):
        token = await consume(app, token_hash, now, owner)
        assert await consume(app, token_hash, now, owner) is None  # the other host: a replay, family revoked
        return token

    world.refresh_tokens.consume = claimed_then_replayed_elsewhere  # type: ignore[method-assign]
    with pytest.raises(Unauthorized, match="Invalid or expired refresh token"):
        await world.refresh(Refresh(world.app, first.refresh_token))
    assert len(world.refresh_tokens.stored) == 2
    assert all(s.revoked for s in world.refresh_tokens.stored.values())
