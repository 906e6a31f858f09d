"""Helpers of the security tests: the app's JWT secret, forged tokens, and the error envelope."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest


@pytest.fixture
def prokov_secret(platform) -> bytes:
    return (platform.paths.secrets / "prokov_jwt_secret").read_bytes().rstrip(b"\r\n")


@pytest.fixture
def koprogo_secret(platform) -> bytes:
    return (platform.paths.secrets / "koprogo_jwt_secret").read_bytes().rstrip(b"\r\n")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    """The claims of a real token (not verified): the base every forgery starts from."""
    return dict(jwt.decode(token, options={"verify_signature": False}))


def hand_signed(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A JWT put together by hand: HMAC-SHA256 over it with `secret`, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    signature = b"" if secret is None else hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def refused(response: Any, code: str = "UNAUTHORIZED", status: int = 401) -> str:
    """Asserts the error envelope with that status and code; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "error"}, body
    assert body["error"]["code"] == code, body
    return str(body["error"]["message"])
