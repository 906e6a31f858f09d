"""schemathesis against each demo app's own document, with a valid token: no 5xx, no answer the document does not allow.

`make test` runs a few examples per operation on SQLite; `make fuzz` (SOGOMS_FUZZ_EXAMPLES) runs many, on both databases.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import BACKEND_PARAMS
from tests.support.api import AppClient

EXAMPLES = int(os.environ.get("SOGOMS_FUZZ_EXAMPLES", "0") or 0)
USERS = {"prokov": "ana@prokov.test", "koprogo": "syndic@jardins.test"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# logout would revoke the token every other call uses (the auth suites test it)
SKIPPED = {("POST", "/auth/logout")}


@pytest.fixture(params=BACKEND_PARAMS if EXAMPLES else ["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(USERS))
def app_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def send(http: Any, host: str, case: Any) -> Any:
    kw = case.as_transport_kwargs(base_url="http://testserver.local/api")
    headers = {**{k: str(v) for k, v in (kw.get("headers") or {}).items()}, "Host": host}
    request: dict[str, Any] = {"headers": headers, "params": kw.get("params")}
    if kw.get("cookies"):
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in kw["cookies"].items())
    if "json" in kw:
        request["json"] = kw["json"]
    elif kw.get("data") is not None:
        request["content"] = kw["data"]
    return http.request(kw["method"], kw["url"], **request)


def test_the_api_keeps_to_its_document(http, app_name):
    host = f"{app_name}.localhost"
    client = AppClient(http, host)
    token = client.token(USERS[app_name])
    schema = schemathesis.openapi.from_dict(client.get("_openapi.json").json())
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operations.append(result.ok())
    assert len(operations) > 20
    examples = EXAMPLES or 6
    tried = 0
    for op in operations:
        if (op.method.upper(), op.path) in SKIPPED:
            continue
        tried += 1

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=not EXAMPLES,  # `make test` is repeatable; `make fuzz` explores
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(headers={"Authorization": f"Bearer {token}"}))
        def call(case: Any) -> None:
            case.validate_response(send(http, host, case), checks=CHECKS)

        call()
    assert tried == len(operations) - len(SKIPPED)
