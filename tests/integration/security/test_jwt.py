"""Access tokens: only HS256 signed with the app's own secret, with exp/iat/sub, for this app, is accepted."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import claims_of, hand_signed, refused


@pytest.fixture
def ana(prokov) -> dict:
    return claims_of(prokov.token("ana@prokov.test"))


def test_a_token_forged_with_the_app_secret_is_accepted(prokov, prokov_secret, ana):
    # the control: the forging below is right, so each refusal is the product's doing
    token = jwt.encode({**ana, "jti": "control"}, prokov_secret, algorithm="HS256")
    r = prokov.get("auth/me", token=token)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["user"]["email"] == "ana@prokov.test"


def test_alg_none_is_refused(prokov, ana):
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE", "typ": "JWT"}):
        token = hand_signed(header, {**ana, "jti": "none"}, None)
        refused(prokov.get("auth/me", token=token))
        refused(prokov.get("tasks", token=token))


def test_hs512_signed_with_the_app_secret_is_refused(prokov, prokov_secret, ana):
    token = jwt.encode({**ana, "jti": "hs512"}, prokov_secret, algorithm="HS512")
    assert jwt.decode(token, prokov_secret, algorithms=["HS512"])["sub"] == "1"  # a valid HS512 token
    refused(prokov.get("auth/me", token=token))


def test_rs256_is_refused(prokov, ana):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused(prokov.get("auth/me", token=jwt.encode({**ana, "jti": "rs256"}, key, algorithm="RS256")))


def test_rs256_header_over_an_hmac_signature_is_refused(prokov, prokov_secret, ana):
    # algorithm confusion: the header says RS256, the signature is HMAC-SHA256 with the app secret
    token = hand_signed({"alg": "RS256", "typ": "JWT"}, {**ana, "jti": "confused"}, prokov_secret)
    refused(prokov.get("auth/me", token=token))


def test_a_tampered_signature_is_refused(prokov):
    token = prokov.token("ana@prokov.test")
    head, payload, signature = token.split(".")
    flipped = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
    refused(prokov.get("auth/me", token=f"{head}.{payload}.{flipped}"))
    refused(prokov.get("auth/me", token=f"{head}.{payload}."))


def test_a_tampered_payload_is_refused(prokov, ana):
    token = prokov.token("ana@prokov.test")
    head, _, signature = token.split(".")
    other = hand_signed({"alg": "HS256"}, {**ana, "sub": "2", "email": "ben@prokov.test"}, None).split(".")[1]
    refused(prokov.get("tasks", token=f"{head}.{other}.{signature}"))


@pytest.mark.parametrize("claim", ["exp", "iat", "sub"])
def test_a_token_without_a_required_claim_is_refused(prokov, prokov_secret, ana, claim):
    claims = {k: v for k, v in ana.items() if k != claim}
    refused(prokov.get("auth/me", token=jwt.encode({**claims, "jti": f"no-{claim}"}, prokov_secret, "HS256")))


def test_an_expired_token_is_refused(prokov, prokov_secret, ana):
    now = int(time.time())
    token = jwt.encode({**ana, "iat": now - 7200, "exp": now - 3600, "jti": "old"}, prokov_secret, "HS256")
    assert "expired" in refused(prokov.get("auth/me", token=token)).lower()
    # beyond the leeway (at most 30 s) by a little is refused too
    token = jwt.encode({**ana, "iat": now - 600, "exp": now - 40, "jti": "just-old"}, prokov_secret, "HS256")
    refused(prokov.get("tasks", token=token))


def test_a_token_of_another_app_is_refused_even_signed_with_this_apps_secret(prokov, koprogo, prokov_secret, ana):
    refused(koprogo.get("auth/me", token=prokov.token("ana@prokov.test")))
    forged = jwt.encode({**ana, "app": "koprogo", "jti": "wrong-app"}, prokov_secret, "HS256")
    refused(prokov.get("auth/me", token=forged))


def test_a_token_signed_with_another_apps_secret_is_refused(prokov, koprogo_secret, ana):
    refused(prokov.get("auth/me", token=jwt.encode({**ana, "jti": "other-secret"}, koprogo_secret, "HS256")))


def test_a_token_issued_in_the_future_is_refused(prokov, prokov_secret, ana):
    now = int(time.time())
    token = jwt.encode({**ana, "iat": now + 3600, "exp": now + 7200, "jti": "future"}, prokov_secret, "HS256")
    refused(prokov.get("auth/me", token=token))


def test_claims_of_the_wrong_type_are_refused(prokov, prokov_secret, ana):
    for bad in ({"exp": str(ana["exp"])}, {"exp": None}, {"iat": "yesterday"}, {"sub": None}):
        token = jwt.encode({**ana, **bad, "jti": f"bad-{sorted(bad)[0]}"}, prokov_secret, "HS256")
        refused(prokov.get("auth/me", token=token))


def test_a_bearer_header_of_another_shape_is_refused(prokov):
    token = prokov.token("ana@prokov.test")
    for header in (f"Basic {token}", f"Token {token}", "Bearer", "Bearer ", token):
        refused(prokov.get("auth/me", headers={"Authorization": header}))
