"""Sign-ups are limited per address: each costs an argon2 hash and a row, and a taken email answers 409."""

from __future__ import annotations

from .conftest import refused


def sign_up(app, n: int):
    return app.post("auth/register", {"email": f"new{n}@prokov.test", "name": f"New {n}", "password": "long-enough-1"})


def test_the_eleventh_sign_up_from_one_address_within_a_minute_is_refused(prokov):
    for n in range(10):
        assert sign_up(prokov, n).status_code == 201
    eleventh = sign_up(prokov, 10)
    refused(eleventh, "RATE_LIMITED", 429)
    assert int(eleventh.headers["retry-after"]) > 0
    # nothing was created for it, and the accounts made before still sign in
    assert prokov.post("auth/login", {"email": "new10@prokov.test", "password": "long-enough-1"}).status_code == 401
    assert prokov.post("auth/login", {"email": "new9@prokov.test", "password": "long-enough-1"}).status_code == 200
