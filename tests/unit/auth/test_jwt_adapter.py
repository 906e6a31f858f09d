"""JwtTokens: HS256 only, exp/iat/sub/jti required, signature and app checked (the adapter is pure)."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.security.jwt_tokens import JwtTokens
from domain.errors import Unauthorized
from tests.fakes.clock import FakeClock

SECRET = b"k" * 32
NOW = 1_800_000_000
CLAIMS = {"sub": "7", "email": "ana@shop.test", "name": "Ana", "role": "user", "org_id": 5}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def tokens(clock: FakeClock) -> JwtTokens:
    return JwtTokens(clock.now)


def refusal(tokens: JwtTokens, token: str, app: str = "shop", secret: bytes = SECRET, leeway: float = 10) -> str:
    with pytest.raises(Unauthorized) as err:
        tokens.verify(app, secret, token, leeway)
    return err.value.message


def forged(payload: dict[str, object], key: object = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, key, algorithm=algorithm)  # type: ignore[arg-type]


def valid_payload(**changes: object) -> dict[str, object]:
    return {**CLAIMS, "app": "shop", "iat": NOW, "exp": NOW + 3600, "jti": "j1", **changes}


def test_issue_signs_hs256_with_iat_exp_and_a_fresh_jti(tokens: JwtTokens) -> None:
    a = tokens.issue("shop", SECRET, CLAIMS, 3600)
    b = tokens.issue("shop", SECRET, CLAIMS, 3600)
    assert jwt.get_unverified_header(a.token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(a.token, SECRET, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})
    assert claims == {**CLAIMS, "app": "shop", "iat": NOW, "exp": NOW + 3600, "jti": a.jti}
    assert a.expires_at == NOW + 3600
    assert len(a.jti) == 32
    assert a.jti != b.jti


def test_a_token_verifies_into_its_principal(tokens: JwtTokens) -> None:
    issued = tokens.issue("shop", SECRET, CLAIMS, 3600)
    p = tokens.verify("shop", SECRET, issued.token, 10)
    assert (p.user_id, p.app, p.role, p.email, p.name) == (7, "shop", "user", "ana@shop.test", "Ana")
    assert (p.jti, p.iat, p.exp) == (issued.jti, NOW, NOW + 3600)
    assert p.claims == {"org_id": 5}


def test_alg_none_is_refused(tokens: JwtTokens) -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(valid_payload()).encode()).rstrip(b"=")
    assert refusal(tokens, f"{header.decode()}.{body.decode()}.") == "Token algorithm not accepted"


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_hs512_with_the_right_secret_is_refused(tokens: JwtTokens) -> None:
    assert refusal(tokens, forged(valid_payload(), algorithm="HS512")) == "Token algorithm not accepted"


def test_rs256_is_refused(tokens: JwtTokens) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert refusal(tokens, forged(valid_payload(), key=key, algorithm="RS256")) == "Token algorithm not accepted"


def test_a_tampered_payload_breaks_the_signature(tokens: JwtTokens) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 3600).token
    head, _, sig = token.split(".")
    body = base64.urlsafe_b64encode(json.dumps(valid_payload(role="admin")).encode()).rstrip(b"=").decode()
    assert refusal(tokens, f"{head}.{body}.{sig}") == "Invalid token signature"


def test_a_tampered_signature_is_refused(tokens: JwtTokens) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 3600).token
    flipped = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert refusal(tokens, flipped) == "Invalid token signature"


def test_another_secret_is_refused(tokens: JwtTokens) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 3600).token
    assert refusal(tokens, token, secret=b"z" * 32) == "Invalid token signature"


@pytest.mark.parametrize("claim", ["exp", "iat", "sub", "jti"])
def test_required_claims(tokens: JwtTokens, claim: str) -> None:
    payload = valid_payload()
    del payload[claim]
    assert refusal(tokens, forged(payload)) == f"Token lacks the '{claim}' claim"


def test_expiry_with_leeway(tokens: JwtTokens, clock: FakeClock) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 60).token
    clock.advance(60 + 10)
    assert tokens.verify("shop", SECRET, token, 10).user_id == 7  # within the leeway
    clock.advance(1)
    assert refusal(tokens, token) == "Token expired"


def test_an_expired_token_is_refused_even_when_never_seen_before(tokens: JwtTokens) -> None:
    assert refusal(tokens, forged(valid_payload(iat=NOW - 7200, exp=NOW - 3600))) == "Token expired"


def test_a_token_issued_in_the_future_is_refused(tokens: JwtTokens) -> None:
    assert refusal(tokens, forged(valid_payload(iat=NOW + 600, exp=NOW + 4200))) == "Token issued in the future"


def test_a_token_of_another_app_is_refused_even_with_the_same_secret(tokens: JwtTokens) -> None:
    token = tokens.issue("other", SECRET, CLAIMS, 3600).token
    assert refusal(tokens, token, app="shop") == "Token belongs to another app"


def test_a_cached_token_is_not_accepted_with_another_secret(tokens: JwtTokens) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 3600).token
    tokens.verify("shop", SECRET, token, 10)
    assert refusal(tokens, token, secret=b"z" * 32) == "Invalid token signature"


def test_a_cached_token_is_not_accepted_by_another_app(tokens: JwtTokens) -> None:
    token = tokens.issue("shop", SECRET, CLAIMS, 3600).token
    tokens.verify("shop", SECRET, token, 10)
    assert refusal(tokens, token, app="other") == "Token belongs to another app"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "Bearer x.y.z"])
def test_garbage_is_refused(tokens: JwtTokens, token: str) -> None:
    assert refusal(tokens, token) in ("Malformed token", "Invalid token")


def test_non_integer_exp_is_refused(tokens: JwtTokens) -> None:
    assert refusal(tokens, forged(valid_payload(exp=float(NOW + 3600)))) == "Invalid token"


def _go(**over: object) -> str:
    """A token as the Go SOGOMS issued it: integer sub, no jti, no role."""
    return forged(
        {"sub": 7, "email": "ana@shop.test", "name": "Ana", "app": "shop", "exp": NOW + 60, "iat": NOW, **over}
    )


def test_a_go_token_is_accepted_before_the_cutoff_only(tokens: JwtTokens, clock: FakeClock) -> None:
    until = float(NOW + 30)
    p = tokens.verify("shop", SECRET, _go(), 10, legacy_until=until)
    assert p.legacy and p.user_id == 7 and p.jti == "" and p.revocation_key == "legacy-user:7"
    clock.advance(30)  # the cut-off passes while the token is cached
    with pytest.raises(Unauthorized, match="previous system"):
        tokens.verify("shop", SECRET, _go(), 10, legacy_until=until)
    with pytest.raises(Unauthorized, match="previous system"):
        tokens.verify("shop", SECRET, _go(iat=NOW + 1), 10, legacy_until=until)  # not cached
    assert "jti" in refusal(tokens, _go(iat=NOW + 2))  # not opted in


@pytest.mark.parametrize("sub", [True, 1.5, [7], {"id": 7}])
def test_a_go_token_needs_an_integer_or_text_sub(tokens: JwtTokens, sub: object) -> None:
    with pytest.raises(Unauthorized):
        tokens.verify("shop", SECRET, _go(sub=sub), 10, legacy_until=float(NOW + 3600))


def test_a_token_with_a_jti_still_needs_a_text_sub(tokens: JwtTokens) -> None:
    assert refusal(tokens, _go(jti="abc")) == "Invalid token"
