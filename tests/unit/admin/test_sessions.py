"""Sign in, session lookup with idle/absolute expiry, sign out, the login rate limit, hash upgrades."""

from __future__ import annotations

import pytest

from application.admin.sessions import AdminLogin, session_hash
from domain.admin import AdminUser, Role
from domain.errors import InvalidCredentials, RateLimited


async def test_login_creates_a_fresh_session_each_time(world) -> None:
    first = await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.1"))
    second = await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.1"))
    assert first.session_id != second.session_id
    assert first.session.csrf_token != second.session.csrf_token
    # the store keeps only the hash of the id: a leaked table opens no session
    assert session_hash(first.session_id) in world.store.sessions
    assert first.session_id not in world.store.sessions
    assert [e[2]["outcome"] for e in world.logs.audit("admin.login")] == ["ok", "ok"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("boss", "wrong-password"), ("nobody", "boss-password"), ("boss", ""), ("boss", "boss-password" + "x" * 5000)],
)
async def test_wrong_password_and_unknown_user_fail_alike(world, username: str, password: str) -> None:
    with pytest.raises(InvalidCredentials, match="Invalid username or password"):
        await world.sessions.login(AdminLogin(username, password, "10.0.0.1"))
    assert world.store.sessions == {}
    assert world.logs.audit("admin.login")[-1][2]["outcome"] == "failed"


async def test_five_failures_a_minute_block_the_address_even_with_the_right_password(world) -> None:
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await world.sessions.login(AdminLogin("boss", "nope", "10.0.0.9"))
    with pytest.raises(RateLimited):
        await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.9"))
    # another address is not blocked
    assert await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.10"))
    world.clock.advance(61)
    assert await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.9"))
    assert world.logs.audit("admin.login")[5][2]["outcome"] == "rate_limited"


async def test_an_old_bcrypt_hash_is_upgraded_at_sign_in(world) -> None:
    world.users.users["old"] = AdminUser("old", "bcrypt:legacy-password", Role.SUPER_ADMIN)
    await world.sessions.login(AdminLogin("old", "legacy-password", "10.0.0.1"))
    assert world.users.users["old"].password_hash == "plain:legacy-password"


async def test_resolve_resets_the_idle_clock_and_enforces_both_timeouts(world) -> None:
    s = await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.1"))
    for _ in range(40):  # activity every 29 min keeps it alive, up to the absolute limit
        world.clock.advance(29 * 60)
        if (await world.sessions.resolve(s.session_id)) is None:
            break
    assert world.clock.t - s.session.created_at > 12 * 3600 - 29 * 60
    assert await world.sessions.resolve(s.session_id) is None
    assert world.store.sessions == {}


async def test_idle_session_expires_server_side(world) -> None:
    s = await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.1"))
    world.clock.advance(31 * 60)
    assert await world.sessions.resolve(s.session_id) is None


async def test_logout_deletes_the_session_so_the_cookie_cannot_be_replayed(world) -> None:
    s = await world.sessions.login(AdminLogin("boss", "boss-password", "10.0.0.1"))
    assert await world.sessions.resolve(s.session_id) is not None
    await world.sessions.logout(s, "10.0.0.1")
    assert await world.sessions.resolve(s.session_id) is None
    assert world.logs.audit("admin.logout")


async def test_a_removed_account_loses_its_sessions(world) -> None:
    s = await world.sessions.login(AdminLogin("ann", "ann-password", "10.0.0.1"))
    del world.users.users["ann"]
    assert await world.sessions.resolve(s.session_id) is None
