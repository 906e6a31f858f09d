"""The seed's response envelope on every response, and domain errors mapped once to HTTP."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import msgspec
from litestar import Response

from domain.errors import HTTP_STATUS, DomainError, InvalidInput, MethodNotAllowed, RateLimited


def _default(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(obj)).decode()
    if isinstance(obj, dt.timedelta):
        return obj.total_seconds()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"cannot encode {type(obj).__name__}")


_encoder = msgspec.json.Encoder(enc_hook=_default, decimal_format="number")
JSON = "application/json"


def encode(payload: Any) -> bytes:
    return _encoder.encode(payload)


def ok(
    data: Any,
    message: str = "OK",
    status: int = 200,
    meta: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    body: dict[str, Any] = {"success": True, "message": message, "data": data}
    if meta is not None:
        body["meta"] = meta
    return Response(content=_encoder.encode(body), status_code=status, media_type=JSON, headers=headers)


def error_body(code: str, message: str, fields: list[dict[str, str]] | None = None) -> bytes:
    err: dict[str, Any] = {"code": code, "message": message}
    if fields:
        err["fields"] = fields
    return _encoder.encode({"success": False, "error": err})


def error_response(exc: DomainError, headers: dict[str, str] | None = None) -> Response[bytes]:
    status = HTTP_STATUS.get(exc.code, 500)
    code = exc.code if exc.code in HTTP_STATUS else "INTERNAL_ERROR"
    message = exc.message if status < 500 or code == "SERVICE_UNAVAILABLE" else "Internal error"
    fields = [e.as_dict() for e in exc.field_errors] if isinstance(exc, InvalidInput) else None
    extra = dict(headers or {})
    if isinstance(exc, RateLimited):
        extra["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, MethodNotAllowed) and getattr(exc, "allow", None):
        extra["Allow"] = exc.allow  # type: ignore[attr-defined]
    if status == 401:
        extra["WWW-Authenticate"] = 'Bearer realm="sogoms"'
    if code == "SERVICE_UNAVAILABLE":
        extra.setdefault("Retry-After", "1")
    return Response(content=error_body(code, message, fields), status_code=status, media_type=JSON, headers=extra)


def plain_error(status: int, code: str, message: str) -> Response[bytes]:
    return Response(content=error_body(code, message), status_code=status, media_type=JSON)


async def send_response(scope: Any, send: Any, response: Response[bytes]) -> None:
    """Send a response built by the API straight to the ASGI server: status, headers, body (none for HEAD)."""
    content: Any = response.content
    body = content if isinstance(content, bytes) else str(content).encode() if content else b""
    media = response.media_type if isinstance(response.media_type, str) else JSON
    headers = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in response.headers.items()]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
