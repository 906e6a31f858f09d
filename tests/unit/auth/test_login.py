"""Login: tokens and starting data for the right password, one same answer for every wrong one."""

from __future__ import annotations

import pytest

from domain.errors import DomainError, InvalidCredentials, InvalidInput, NotFound, RateLimited

from .conftest import ANA, AuthWorld, make_app


async def test_the_right_password_gives_tokens_and_the_user_without_password(world: AuthWorld) -> None:
    result = await world.login(world.login_cmd())
    body = result.as_dict()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["user"] == {k: v for k, v in ANA.items() if k != "password"}
    claims = world.codec.issued[body["token"]]
    assert {k: claims[k] for k in ("sub", "email", "name", "app", "role", "org_id")} == {
        "sub": "1",
        "email": "ana@shop.test",
        "name": "Ana",
        "app": "shop",
        "role": "user",
        "org_id": 5,
    }
    assert body["refresh_token"]
    assert world.events("login") == [{"user_id": 1, "email": "ana@shop.test", "ip": "10.0.0.1"}]


async def test_the_email_is_normalised_before_lookup(world: AuthWorld) -> None:
    result = await world.login(world.login_cmd(email="  ANA@Shop.Test "))
    assert result.session.principal.user_id == 1
    assert world.users.lookups == ["ana@shop.test"]


async def test_login_include_lists_each_resource_for_the_user(world: AuthWorld) -> None:
    world.app = make_app(login_include=("projects", "tags"))
    world.lister.rows = {"projects": [{"id": 3, "name": "Roof"}], "tags": []}
    body = (await world.login(world.login_cmd())).as_dict()
    assert body["projects"] == [{"id": 3, "name": "Roof"}]
    assert body["tags"] == []
    assert [(name, p.user_id) for name, p in world.lister.asked] == [("projects", 1), ("tags", 1)]


async def answer(world: AuthWorld, email: str, password: str) -> DomainError:
    with pytest.raises(DomainError) as err:
        await world.login(world.login_cmd(email=email, password=password))
    return err.value


async def test_unknown_email_and_wrong_password_get_the_same_answer(world: AuthWorld) -> None:
    wrong = await answer(world, "ana@shop.test", "nope-nope")
    unknown = await answer(world, "nobody@shop.test", "nope-nope")
    assert type(wrong) is type(unknown) is InvalidCredentials
    assert (
        (wrong.code, wrong.message) == (unknown.code, unknown.message) == ("UNAUTHORIZED", "Invalid email or password")
    )


async def test_an_unknown_email_still_costs_one_verification(world: AuthWorld) -> None:
    await answer(world, "nobody@shop.test", "whatever1")
    assert world.hasher.verified == [None]  # the hasher verifies its dummy hash: same time as a real account
    await answer(world, "ana@shop.test", "whatever1")
    assert world.hasher.verified == [None, "plain:ana-pass"]


async def test_failed_logins_are_logged_without_the_password(world: AuthWorld) -> None:
    await answer(world, "ana@shop.test", "secret-guess")
    assert world.events("login_failed") == [{"email": "ana@shop.test", "ip": "10.0.0.1"}]
    assert "secret-guess" not in repr(world.logs.events)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("", "x", "email"), (None, "x", "email"), ("a@b.c", "", "password"), ("a@b.c", 123, "password")],
)
async def test_missing_credentials_name_the_field(
    world: AuthWorld, email: object, password: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        await world.login(world.login_cmd(email=email, password=password))
    assert [e.field for e in err.value.field_errors] == [field]


async def test_an_app_without_accounts_has_no_login(world: AuthWorld) -> None:
    world.app = make_app(with_auth=False)
    with pytest.raises(NotFound):
        await world.login(world.login_cmd())


async def test_an_old_hash_is_upgraded_at_the_next_successful_login(world: AuthWorld) -> None:
    world.users.rows[1]["password"] = "bcrypt:ana-pass"
    await world.login(world.login_cmd())
    assert world.users.rows[1]["password"] == "plain:ana-pass"


async def test_a_wrong_password_does_not_upgrade_the_hash(world: AuthWorld) -> None:
    world.users.rows[1]["password"] = "bcrypt:ana-pass"
    await answer(world, "ana@shop.test", "wrong-one")
    assert world.users.rows[1]["password"] == "bcrypt:ana-pass"


class TestRateLimit:
    async def test_the_account_is_locked_after_its_failures_even_with_the_right_password(
        self, world: AuthWorld
    ) -> None:
        world.app = make_app(per_account=3)
        for _ in range(3):
            await answer(world, "ana@shop.test", "wrong-pass")
        with pytest.raises(RateLimited) as err:
            await world.login(world.login_cmd())
        assert err.value.retry_after == 60
        assert world.events("login_rate_limited") == [{"email": "ana@shop.test", "ip": "10.0.0.1"}]

    async def test_other_ips_count_for_the_same_account(self, world: AuthWorld) -> None:
        world.app = make_app(per_account=2)
        for ip in ("10.0.0.1", "10.0.0.2"):
            with pytest.raises(InvalidCredentials):
                await world.login(world.login_cmd(password="wrong-pass", ip=ip))
        with pytest.raises(RateLimited):
            await world.login(world.login_cmd(ip="10.0.0.3"))

    async def test_one_ip_is_limited_across_emails(self, world: AuthWorld) -> None:
        world.app = make_app(per_ip=3, per_account=100)
        for n in range(3):
            await answer(world, f"user{n}@shop.test", "wrong-pass")
        with pytest.raises(RateLimited):
            await world.login(world.login_cmd())
        assert (await world.login(world.login_cmd(ip="10.0.0.9"))).session.principal.user_id == 1

    async def test_unknown_and_known_emails_are_limited_alike(self, world: AuthWorld) -> None:
        world.app = make_app(per_account=2)
        for email in ("ana@shop.test", "nobody@shop.test"):
            for _ in range(2):
                await answer(world, email, "wrong-pass")
        known, unknown = await answer(world, "ana@shop.test", "x"), await answer(world, "nobody@shop.test", "x")
        assert type(known) is type(unknown) is RateLimited
        assert known.message == unknown.message

    async def test_the_window_slides(self, world: AuthWorld) -> None:
        world.app = make_app(per_account=2)
        for _ in range(2):
            await answer(world, "ana@shop.test", "wrong-pass")
        world.clock.advance(61)
        assert (await world.login(world.login_cmd())).session.principal.user_id == 1

    async def test_a_successful_login_clears_the_account_failures(self, world: AuthWorld) -> None:
        world.app = make_app(per_account=2)
        await answer(world, "ana@shop.test", "wrong-pass")
        await world.login(world.login_cmd())
        await answer(world, "ana@shop.test", "wrong-pass")
        assert (await world.login(world.login_cmd())).session.principal.user_id == 1

    async def test_a_refused_attempt_never_reaches_the_hasher(self, world: AuthWorld) -> None:
        world.app = make_app(per_account=2)
        for _ in range(2):
            await answer(world, "ana@shop.test", "wrong-pass")
        checked = len(world.hasher.verified)
        assert isinstance(await answer(world, "ana@shop.test", "ana-pass"), RateLimited)
        assert len(world.hasher.verified) == checked  # the slot is taken before the work, not counted after it

    async def test_a_success_takes_nothing_from_the_address_allowance(self, world: AuthWorld) -> None:
        world.app = make_app(per_ip=2, per_account=100)
        for _ in range(5):
            await world.login(world.login_cmd())
        assert world.throttle.hits("ip:10.0.0.1") == 0 and world.throttle.hits("account:ana@shop.test") == 0
        await answer(world, "nobody@shop.test", "wrong-pass")
        assert world.throttle.hits("ip:10.0.0.1") == 1


async def test_login_include_lists_are_read_at_the_same_time(world: AuthWorld) -> None:
    """Each list is in flight before any answers: one waiting list blocks the others' answers here, so a login
    that read them one after the other would never finish."""
    import asyncio

    world.app = make_app(login_include=("projects", "tags", "statuses"))
    started: list[str] = []
    all_started = asyncio.Event()
    plain = world.lister.everything

    async def waiting(app, principal, resource):
        started.append(resource)
        if len(started) == 3:
            all_started.set()
        await all_started.wait()
        return await plain(app, principal, resource)

    world.lister.everything = waiting  # type: ignore[method-assign]
    world.lister.rows = {"projects": [{"id": 3}], "tags": [], "statuses": [{"id": 1}]}
    body = (await asyncio.wait_for(world.login(world.login_cmd()), 5)).as_dict()
    assert (body["projects"], body["tags"], body["statuses"]) == ([{"id": 3}], [], [{"id": 1}])
    assert list(body)[-3:] == ["projects", "tags", "statuses"]  # the configured order


async def test_the_account_is_looked_up_while_the_attempt_is_counted(world: AuthWorld) -> None:
    import asyncio

    looked_up = asyncio.Event()
    plain_lookup, plain_reserve = world.users.by_login, world.throttle.reserve

    async def lookup(app, email):
        looked_up.set()
        return await plain_lookup(app, email)

    async def reserve(*args):
        await looked_up.wait()  # answers only once the look-up has started: in the same round trip
        return await plain_reserve(*args)

    world.users.by_login = lookup  # type: ignore[method-assign]
    world.throttle.reserve = reserve  # type: ignore[method-assign]
    result = await asyncio.wait_for(world.login(world.login_cmd()), 5)
    assert result.session.principal.user_id == 1


async def test_a_refused_attempt_never_checks_the_password_though_the_account_was_read(world: AuthWorld) -> None:
    for _ in range(world.app.settings.auth.rate_limit.login_per_account):
        await answer(world, "ana@shop.test", "wrong-wrong")
    verified = len(world.hasher.verified)
    refused = await answer(world, "ana@shop.test", "ana-pass")
    assert isinstance(refused, RateLimited)
    assert len(world.hasher.verified) == verified
