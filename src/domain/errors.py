"""The one error hierarchy of the platform; each error carries a stable code, and `HTTP_STATUS` maps codes to HTTP."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field (used by VALIDATION_ERROR)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DomainError(Exception):
    """Base of every expected error. `code` is stable and part of the public API."""

    code = "INTERNAL_ERROR"
    default_message = "Internal error"

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class BadRequest(DomainError):
    code = "BAD_REQUEST"
    default_message = "Bad request"


class Unauthorized(DomainError):
    code = "UNAUTHORIZED"
    default_message = "Authentication required"


class InvalidCredentials(Unauthorized):
    default_message = "Invalid email or password"


class Forbidden(DomainError):
    code = "FORBIDDEN"
    default_message = "You are not allowed to do this"


class NotFound(DomainError):
    code = "NOT_FOUND"
    default_message = "Not found"


class UnknownApp(NotFound):
    code = "UNKNOWN_APP"
    default_message = "No app is served on this host"


class MethodNotAllowed(DomainError):
    code = "METHOD_NOT_ALLOWED"
    default_message = "Method not allowed"


class Conflict(DomainError):
    code = "CONFLICT"
    default_message = "A record with this value already exists"


class Unreadable(DomainError):
    """A stored encrypted value that does not decrypt: altered, moved from another row, or its key is missing.

    Not the caller's fault and not a crash: the request fails with this code (409), the operator is told once.
    """

    code = "UNREADABLE_DATA"
    default_message = "A stored value cannot be decrypted"


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body is too large"


class RequestTimeout(DomainError):
    code = "REQUEST_TIMEOUT"
    default_message = "The request body was not received in time"


class UriTooLong(DomainError):
    code = "URI_TOO_LONG"
    default_message = "The query string is too long"


class InvalidInput(DomainError):
    """Input that parsed but breaks a rule; lists every failing field."""

    code = "VALIDATION_ERROR"
    default_message = "Invalid input"

    def __init__(self, field_errors: list[FieldError] | tuple[FieldError, ...], message: str | None = None):
        self.field_errors = tuple(field_errors)
        if message is None:
            message = "; ".join(f"{e.field}: {e.message}" for e in self.field_errors) or self.default_message
        super().__init__(message)


class RateLimited(DomainError):
    code = "RATE_LIMITED"
    default_message = "Too many requests, try again later"

    def __init__(self, message: str | None = None, retry_after: int = 60) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Unavailable(DomainError):
    code = "SERVICE_UNAVAILABLE"
    default_message = "Service temporarily unavailable"


class Timeout(Unavailable):
    default_message = "Service did not answer in time"


class InternalError(DomainError):
    code = "INTERNAL_ERROR"
    default_message = "Internal error"


class DatabaseError(InternalError):
    """The database refused a statement (bad SQL, a missing table...): the seed's `DB_ERROR` on the wire.

    Still an internal error to an HTTP client (500 INTERNAL_ERROR, no SQL shown); IPC callers see `DB_ERROR`.
    """

    code = "DB_ERROR"
    default_message = "Database error"


class ConfigError(DomainError):
    """Invalid configuration: names the file, the key path and what was expected."""

    code = "CONFIG_ERROR"
    default_message = "Invalid configuration"


class DestructiveChanges(DomainError):
    """A schema migration that would drop data, refused unless the operator allows it."""

    code = "DESTRUCTIVE_CHANGES"
    default_message = "The migration would lose data"


HTTP_STATUS: dict[str, int] = {
    "BAD_REQUEST": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "UNKNOWN_APP": 404,
    "METHOD_NOT_ALLOWED": 405,
    "REQUEST_TIMEOUT": 408,
    "CONFLICT": 409,
    "UNREADABLE_DATA": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "URI_TOO_LONG": 414,
    "UNSUPPORTED_MEDIA_TYPE": 415,
    "VALIDATION_ERROR": 422,
    "RATE_LIMITED": 429,
    "INTERNAL_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
}
"""The HTTP status of each code a client may see; any other code (DB_ERROR, CONFIG_ERROR...) is a bare 500."""


def field_error(field: str, message: str) -> InvalidInput:
    """Shorthand for a one-field validation error."""
    return InvalidInput([FieldError(field, message)])


ERRORS_BY_CODE: dict[str, type[DomainError]] = {
    cls.code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        UnknownApp,
        MethodNotAllowed,
        Conflict,
        Unreadable,
        PayloadTooLarge,
        InvalidInput,
        RateLimited,
        Unavailable,
        InternalError,
        DatabaseError,
        ConfigError,
    )
}


def error_from_code(code: str, message: str, fields: list[dict[str, str]] | None = None) -> DomainError:
    """Rebuild a domain error from its wire form (IPC): unknown codes become InternalError."""
    cls = ERRORS_BY_CODE.get(code)
    if cls is InvalidInput:
        errs = [FieldError(f.get("field", ""), f.get("message", "")) for f in fields or []]
        return InvalidInput(errs, message)
    if cls is None:
        err: DomainError = InternalError(message)
        err.code = code  # keep the service's own code (e.g. DB_ERROR) for logs and callers
        return err
    return cls(message)
