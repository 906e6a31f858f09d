"""Tokens the Go SOGOMS issued (HS256, integer `sub`, no `jti`) under `auth.legacy_tokens` (issue 13, item 2).

Signed as the seed's jwt.go signs them (its documented payload: sub, email, name, app, exp, iat) with the app's
secret file, sent to the real gateway (in-process and over IPC to real services, SQLite and MariaDB).
"""

from __future__ import annotations

import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from tests.support.api import AppClient
from tests.support.platform import Platform
from tests.support.processes import BIN


def go_token(platform: Platform, user_id: int, email: str, *, app: str = "prokov", ttl: int = 86400) -> str:
    """A token as the Go gateway issued it (DOCTECH, "Payload JWT")."""
    secret = (platform.paths.secrets / f"{app}_jwt_secret").read_bytes().rstrip(b"\r\n")
    now = int(time.time())
    payload = {"sub": user_id, "email": email, "name": "Ana", "app": app, "exp": now + ttl, "iat": now}
    return jwt.encode(payload, secret, algorithm="HS256")


def accept_until(platform: Platform, day: str | None) -> None:
    path: Path = platform.paths.config / "apps" / "prokov" / "app.yaml"
    text = path.read_text()
    assert "legacy_tokens" not in text
    if day is not None:
        text = text.replace(
            "  default_role: user\n", f"  default_role: user\n  legacy_tokens:\n    accept_until: {day}\n"
        )
    path.write_text(text)


def _ana(prokov: AppClient) -> int:
    return int(prokov.login("ana@prokov.test")["user"]["id"])


def _today(days: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_a_go_token_signs_in_until_the_cutoff_and_is_revocable_per_user(
    platform: Platform, request: pytest.FixtureRequest, transport: str
) -> None:
    accept_until(platform, _today())  # today is the last day they are accepted
    prokov: AppClient = request.getfixturevalue("prokov")
    ana = _ana(prokov)
    token = go_token(platform, ana, "ana@prokov.test")
    me = prokov.get("auth/me", token)
    assert me.status_code == 200, me.text
    assert me.json()["data"]["user"]["email"] == "ana@prokov.test", me.json()
    # the owner filter binds her id from the integer sub: she sees her projects, creates one that is hers
    projects = prokov.get("projects", token)
    assert projects.status_code == 200 and projects.json()["data"], projects.text
    created = prokov.post("projects", {"name": "from a Go token"}, token)
    assert created.status_code == 201, created.text
    ben_token = go_token(platform, int(prokov.login("ben@prokov.test")["user"]["id"]), "ben@prokov.test")
    assert prokov.get("auth/me", ben_token).status_code == 200
    # no jti: logging out refuses every legacy token of that user (the per-user cut-off), not the others'
    assert prokov.post("auth/logout", {}, token).status_code in (200, 204)
    second = go_token(platform, ana, "ana@prokov.test", ttl=3600)
    for t in (token, second):
        refused = prokov.get("auth/me", t)
        assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    assert prokov.get("auth/me", ben_token).status_code == 200
    # her new sign-in gives a token of this platform, which works
    assert prokov.get("auth/me", prokov.token("ana@prokov.test")).status_code == 200


def test_a_go_token_is_refused_after_the_cutoff(
    platform: Platform, request: pytest.FixtureRequest, transport: str
) -> None:
    accept_until(platform, _today(-1))
    prokov: AppClient = request.getfixturevalue("prokov")
    refused = prokov.get("auth/me", go_token(platform, _ana(prokov), "ana@prokov.test"))
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "Tokens of the previous system are no longer accepted: sign in again"


def test_without_legacy_tokens_a_go_token_is_refused(
    platform: Platform, request: pytest.FixtureRequest, transport: str
) -> None:
    prokov: AppClient = request.getfixturevalue("prokov")
    refused = prokov.get("auth/me", go_token(platform, _ana(prokov), "ana@prokov.test"))
    assert refused.status_code == 401 and "jti" in refused.json()["error"]["message"]


@pytest.mark.parametrize(
    "payload",
    [
        {"sub": True},  # not an id
        {"sub": [1]},
        {"app": "koprogo"},  # another app's
        {"exp": int(time.time()) - 3600},  # expired
    ],
)
def test_a_bad_go_token_is_refused_even_while_legacy_tokens_are_accepted(
    platform: Platform, request: pytest.FixtureRequest, transport: str, payload: dict[str, Any]
) -> None:
    accept_until(platform, _today(30))
    prokov: AppClient = request.getfixturevalue("prokov")
    secret = (platform.paths.secrets / "prokov_jwt_secret").read_bytes().rstrip(b"\r\n")
    now = int(time.time())
    claims = {"sub": 1, "email": "ana@prokov.test", "app": "prokov", "exp": now + 60, "iat": now, **payload}
    assert prokov.get("auth/me", jwt.encode(claims, secret, algorithm="HS256")).status_code == 401
    # signed with another secret
    forged = jwt.encode({**claims, **{"sub": 1}}, b"x" * 64, algorithm="HS256")
    assert prokov.get("auth/me", forged).status_code == 401


def test_sogoms_tokens_revoke_legacy_cuts_one_user_off(
    platform: Platform, request: pytest.FixtureRequest, transport: str
) -> None:
    accept_until(platform, _today(30))
    prokov: AppClient = request.getfixturevalue("prokov")
    ana = _ana(prokov)
    token = go_token(platform, ana, "ana@prokov.test")
    assert prokov.get("auth/me", token).status_code == 200
    done = subprocess.run(
        [str(BIN / "sogoms"), "tokens", "revoke-legacy", "prokov", str(ana)],
        env=platform.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    deadline = time.monotonic() + 20  # every worker sees a revocation made elsewhere within its poll interval (0.5 s)
    while prokov.get("auth/me", token).status_code != 401:
        assert time.monotonic() < deadline, "the revocation was not seen"
        time.sleep(0.2)


def test_legacy_tokens_config_errors_are_clear(platform: Platform) -> None:
    accept_until(platform, "someday")
    done = subprocess.run([str(BIN / "sogoms"), "check"], env=platform.env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "accept_until" in done.stdout + done.stderr
