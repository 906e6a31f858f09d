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


def test_a_forged_forwarded_for_header_does_not_dodge_the_per_ip_limit(prokov):
    # no proxy is trusted here, so X-Forwarded-For is the client's own claim and must be ignored
    codes = []
    for n in range(21):  # a different account each time: only the per-IP limit (20 a minute) applies
        headers = {"X-Forwarded-For": f"203.0.113.{n}", "X-Real-IP": f"198.51.100.{n}"}
        r = prokov.post("auth/login", {"email": f"guess{n}@prokov.test", "password": "guess"}, headers=headers)
        codes.append(r.status_code)
    assert codes == [401] * 20 + [429]
