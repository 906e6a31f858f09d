"""Failed logins are limited per account: the 6th within the window is refused with 429, whatever the password."""

from __future__ import annotations

from .conftest import refused


def fail(app, email: str):
    return app.post("auth/login", {"email": email, "password": "not the password"})


def test_the_sixth_failed_login_within_a_minute_is_rate_limited(prokov):
    for _ in range(5):
        refused(fail(prokov, "ben@prokov.test"))
    sixth = fail(prokov, "ben@prokov.test")
    refused(sixth, "RATE_LIMITED", 429)
    assert int(sixth.headers["retry-after"]) > 0
    # the right password does not get through the limit either
    refused(prokov.post("auth/login", {"email": "ben@prokov.test", "password": "demo1234"}), "RATE_LIMITED", 429)


def test_the_limit_of_one_account_does_not_lock_out_another(prokov):
    for _ in range(6):
        fail(prokov, "ben@prokov.test")
    assert prokov.post("auth/login", {"email": "ana@prokov.test", "password": "demo1234"}).status_code == 200


def test_a_success_before_the_limit_resets_the_count(prokov):
    for _ in range(4):
        refused(fail(prokov, "ben@prokov.test"))
    assert prokov.post("auth/login", {"email": "ben@prokov.test", "password": "demo1234"}).status_code == 200
    for _ in range(5):
        refused(fail(prokov, "ben@prokov.test"))
    refused(fail(prokov, "ben@prokov.test"), "RATE_LIMITED", 429)
