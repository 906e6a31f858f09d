"""A logout on one gateway worker is honoured by every other worker of the same platform within a second."""

from __future__ import annotations

import time

from litestar.testing import TestClient

from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.support.api import AppClient

from .conftest import refused


def test_a_token_revoked_on_one_worker_is_refused_by_another(platform, transport, prokov):
    settings = GatewaySettings(transport=Transports(db=transport, logs=transport))
    with TestClient(create_app(platform.paths, settings), base_url="http://testserver.local") as other_http:
        other = AppClient(other_http, "prokov.localhost")
        session = prokov.login("ana@prokov.test")
        assert other.get("auth/me", token=session["token"]).status_code == 200  # verified (and cached) there
        assert prokov.post("auth/logout", None, token=session["token"]).status_code == 200
        time.sleep(1.05)  # SPEC 5: denied on every gateway worker and host within 1 s
        refused(other.get("auth/me", token=session["token"]))
        refused(other.post("auth/refresh", {"refresh_token": session["refresh_token"]}))
