"""The one error hierarchy of the platform; each error carries a stable code, mapped once per entrypoint."""

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


class PayloadTooLarge(DomainError):
    code = "PAYLOAD_TOO_LARGE"
    default_message = "Request body is too large"


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


class ConfigError(DomainError):
    """Invalid configuration: names the file, the key path and what was expected."""

    code = "CONFIG_ERROR"
    default_message = "Invalid configuration"


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
        PayloadTooLarge,
        InvalidInput,
        RateLimited,
        Unavailable,
        InternalError,
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
