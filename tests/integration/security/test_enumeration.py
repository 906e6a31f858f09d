"""Login answers the same whether or not an email exists; a taken email at sign-up discloses nothing of its account."""

from __future__ import annotations

from .conftest import refused

VOLATILE = {"date", "x-request-id", "content-length", "retry-after"}


def same(a, b) -> None:
    assert a.status_code == b.status_code, (a.text, b.text)
    assert a.content == b.content
    strip = lambda r: {k: v for k, v in r.headers.items() if k.lower() not in VOLATILE}  # noqa: E731
    assert strip(a) == strip(b)
    # Retry-After counts down the window's remaining seconds: the two buckets' windows began within a second
    # or two of each other, so the values differ by the clock, never by whether the email exists
    assert ("retry-after" in a.headers) == ("retry-after" in b.headers)
    if "retry-after" in a.headers:
        assert abs(int(a.headers["retry-after"]) - int(b.headers["retry-after"])) <= 2


def test_unknown_email_and_wrong_password_get_the_same_answer(prokov):
    unknown = prokov.post("auth/login", {"email": "nobody@prokov.test", "password": "demo1234"})
    wrong = prokov.post("auth/login", {"email": "ana@prokov.test", "password": "not-demo1234"})
    refused(unknown)
    same(unknown, wrong)
    ben_upper = prokov.post("auth/login", {"email": " BEN@prokov.test ", "password": "nope"})
    same(unknown, ben_upper)


def test_the_rate_limit_treats_unknown_emails_like_known_ones(prokov):
    answers = {}
    for email in ("nobody@prokov.test", "ben@prokov.test"):
        seen = [prokov.post("auth/login", {"email": email, "password": "guess"}) for _ in range(6)]
        assert [r.status_code for r in seen] == [401] * 5 + [429]
        answers[email] = seen
    for a, b in zip(answers["nobody@prokov.test"], answers["ben@prokov.test"], strict=True):
        same(a, b)


def test_a_taken_email_at_sign_up_discloses_nothing_and_changes_nothing(prokov):
    answers = []
    for email in ("ana@prokov.test", "ANA@prokov.test", "  ana@PROKOV.test "):
        r = prokov.post("auth/register", {"email": email, "name": "Eve", "password": "eve's long password"})
        refused(r, "CONFLICT", 409)
        assert "token" not in r.text and "Ana" not in r.text and "argon2" not in r.text
        answers.append(r)
    same(answers[0], answers[1])
    same(answers[0], answers[2])
    # the existing account keeps its password; the attempted one opens nothing
    assert prokov.post("auth/login", {"email": "ana@prokov.test", "password": "demo1234"}).status_code == 200
    refused(prokov.post("auth/login", {"email": "ana@prokov.test", "password": "eve's long password"}))


def test_a_look_alike_of_an_email_does_not_sign_in_to_its_account(prokov):
    # MariaDB's case- and accent-insensitive collation would match these to ana@prokov.test
    wrong = prokov.post("auth/login", {"email": "ana@prokov.test", "password": "not-demo1234"})
    for variant in ("anà@prokov.test", "ána@prokov.test", "aná@prokov.test"):
        r = prokov.post("auth/login", {"email": variant, "password": "demo1234"})
        refused(r)
        same(r, wrong)
