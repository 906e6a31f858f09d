"""Every domain error maps once to its HTTP status and code in the seed's envelope; a 500 shows nothing inside."""

from __future__ import annotations

import json

import pytest

import domain.cron  # noqa: F401 - defines JobFailure
from domain import errors as e
from domain.errors import DomainError, FieldError, error_from_code
from entrypoints.gateway.envelope import error_response, ok


def all_subclasses(cls: type[DomainError]) -> set[type[DomainError]]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


EXPECTED: dict[type[DomainError], tuple[int, str]] = {
    e.BadRequest: (400, "BAD_REQUEST"),
    e.Unauthorized: (401, "UNAUTHORIZED"),
    e.InvalidCredentials: (401, "UNAUTHORIZED"),
    e.Forbidden: (403, "FORBIDDEN"),
    e.NotFound: (404, "NOT_FOUND"),
    e.UnknownApp: (404, "UNKNOWN_APP"),
    e.MethodNotAllowed: (405, "METHOD_NOT_ALLOWED"),
    e.RequestTimeout: (408, "REQUEST_TIMEOUT"),
    e.UriTooLong: (414, "URI_TOO_LONG"),
    e.Conflict: (409, "CONFLICT"),
    e.Unreadable: (409, "UNREADABLE_DATA"),
    e.PayloadTooLarge: (413, "PAYLOAD_TOO_LARGE"),
    e.InvalidInput: (422, "VALIDATION_ERROR"),
    e.RateLimited: (429, "RATE_LIMITED"),
    e.InternalError: (500, "INTERNAL_ERROR"),
    e.DatabaseError: (500, "INTERNAL_ERROR"),  # DB_ERROR over IPC (the seed's code); no SQL detail over HTTP
    e.ConfigError: (500, "INTERNAL_ERROR"),
    e.DestructiveChanges: (500, "INTERNAL_ERROR"),
    e.Unavailable: (503, "SERVICE_UNAVAILABLE"),
    e.Timeout: (503, "SERVICE_UNAVAILABLE"),
}


def instance(cls: type[DomainError], message: str) -> DomainError:
    if cls is e.InvalidInput:
        return e.InvalidInput([FieldError("name", "is required")], message)
    return cls(message)


def body(response: object) -> dict[str, object]:
    return json.loads(response.content)  # type: ignore[attr-defined]


def test_every_error_the_gateway_can_raise_has_a_mapping() -> None:
    reachable = {
        c for c in all_subclasses(DomainError) if c.__module__.startswith(("domain.errors", "entrypoints.gateway"))
    }
    assert reachable - set(EXPECTED) == set()


@pytest.mark.parametrize(("cls", "expected"), EXPECTED.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_status_and_code(cls: type[DomainError], expected: tuple[int, str]) -> None:
    response = error_response(instance(cls, "Something precise"))
    status, code = expected
    assert response.status_code == status
    payload = body(response)
    assert payload["success"] is False
    assert payload["error"]["code"] == code  # type: ignore[index]
    if status < 500 or code == "SERVICE_UNAVAILABLE":
        assert payload["error"]["message"] == "Something precise"  # type: ignore[index]


LEAKY = (
    "sqlite3.OperationalError: no such table: projects [SQL: SELECT id FROM projects WHERE user_id = ?] "
    'File "/work/src/adapters/sql/database.py", line 12, Traceback (most recent call last)'
)


@pytest.mark.parametrize(
    "error", [e.InternalError(LEAKY), e.DatabaseError(LEAKY), e.ConfigError(LEAKY), DomainError(LEAKY)]
)
def test_a_500_says_internal_error_and_nothing_else(error: DomainError) -> None:
    response = error_response(error)
    assert response.status_code == 500
    assert body(response) == {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Internal error"}}


def by_code() -> dict[str, tuple[int, str]]:
    """The envelope maps an error by its code: what each mapped class's code answers."""
    return {cls.code: expected for cls, expected in EXPECTED.items()}


def unmapped() -> list[type[DomainError]]:
    """Errors whose code no mapped error has (e.g. IMAP_ERROR, which never reaches the gateway): bare 500s."""
    found = all_subclasses(DomainError) - set(EXPECTED)
    return sorted((c for c in found if c.code not in by_code()), key=lambda c: c.__name__)


def mapped_subclasses() -> list[type[DomainError]]:
    found = all_subclasses(DomainError) - set(EXPECTED)
    return sorted((c for c in found if c.code in by_code()), key=lambda c: c.__name__)


@pytest.mark.parametrize("cls", mapped_subclasses())
def test_a_subclass_keeping_a_mapped_code_answers_as_that_code(cls: type[DomainError]) -> None:
    """An adapter's refinement (Unreachable keeps SERVICE_UNAVAILABLE) answers like the error whose code it keeps."""
    assert error_response(instance(cls, "x")).status_code == by_code()[cls.code][0]


@pytest.mark.parametrize("cls", unmapped())
def test_errors_without_an_http_meaning_are_a_bare_500(cls: type[DomainError]) -> None:
    response = error_response(cls(LEAKY))
    assert response.status_code == 500
    assert body(response) == {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Internal error"}}


def test_an_unknown_code_from_a_service_is_a_bare_500() -> None:
    response = error_response(error_from_code("DB_ERROR", "UNIQUE constraint failed: users.email in /var/data/x.db"))
    assert response.status_code == 500
    assert body(response)["error"] == {"code": "INTERNAL_ERROR", "message": "Internal error"}


def test_validation_errors_list_each_field() -> None:
    response = error_response(
        e.InvalidInput([FieldError("name", "is required"), FieldError("budget", "must be a number")])
    )
    assert response.status_code == 422
    assert body(response) == {
        "success": False,
        "error": {
            "code": "VALIDATION_ERROR",
            "message": "name: is required; budget: must be a number",
            "fields": [
                {"field": "name", "message": "is required"},
                {"field": "budget", "message": "must be a number"},
            ],
        },
    }


def test_headers_that_go_with_some_errors() -> None:
    assert error_response(e.RateLimited(retry_after=42)).headers["Retry-After"] == "42"
    assert error_response(e.Unauthorized()).headers["WWW-Authenticate"] == 'Bearer realm="sogoms"'
    assert error_response(e.Unavailable()).headers["Retry-After"] == "1"
    allowed = e.MethodNotAllowed()
    allowed.allow = "GET, POST"  # type: ignore[attr-defined]
    assert error_response(allowed).headers["Allow"] == "GET, POST"


def test_the_success_envelope() -> None:
    response = ok({"insert_id": 123}, "Created", 201)
    assert response.status_code == 201
    assert body(response) == {"success": True, "message": "Created", "data": {"insert_id": 123}}
    listed = ok([{"id": 1}], meta={"total": 1, "limit": 50, "offset": 0})
    assert body(listed) == {
        "success": True,
        "message": "OK",
        "data": [{"id": 1}],
        "meta": {"total": 1, "limit": 50, "offset": 0},
    }
