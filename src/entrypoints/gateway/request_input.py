"""What a request brings: its query string and its JSON body, each refused early when it is over its limit."""

from __future__ import annotations

import asyncio
from typing import Any, cast
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from adapters.input_limits import HTTP_MAX_DEPTH, decode_json
from domain.errors import BadRequest, PayloadTooLarge, RequestTimeout

MAX_QUERY_BYTES = 8 * 1024  # checked before anything else, like the body's max_body
MAX_QUERY_PARAMS = 100
_decoder = msgspec.json.Decoder()


def query_items(request: Request[Any, Any, Any]) -> list[tuple[str, str]]:
    """The query string's pairs, at most MAX_QUERY_PARAMS of them (each one becomes a SQL condition)."""
    items = parse_qsl(request.scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if len(items) > MAX_QUERY_PARAMS:
        raise BadRequest(f"A query string takes at most {MAX_QUERY_PARAMS} parameters ({len(items)} given)")
    return items


class RequestBody:
    def __init__(self, max_bytes: int, timeout: float) -> None:
        self._max, self._timeout = max_bytes, timeout

    async def raw(self, request: Request[Any, Any, Any]) -> bytes:
        """The request body, refused (413) as soon as it is known to pass `max_body_bytes`: by its declared length,
        or while a chunked body streams in."""
        limit = self._max
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise BadRequest("Content-Length must be a number of bytes")
            if int(declared) > limit:
                raise PayloadTooLarge()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                raise BadRequest("The client went away before sending the whole body")
            chunk = cast(bytes, message.get("body", b""))
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def json_object(self, request: Request[Any, Any, Any], allow_empty: bool = False) -> dict[str, Any]:
        try:
            async with asyncio.timeout(self._timeout):
                raw = await self.raw(request)
        except TimeoutError:
            raise RequestTimeout() from None
        if not raw.strip():
            if allow_empty:
                return {}
            raise BadRequest("The request body is empty; send a JSON object")
        try:
            body = decode_json(raw, HTTP_MAX_DEPTH, _decoder)
        except msgspec.DecodeError as exc:
            raise BadRequest(f"Malformed JSON body: {exc}") from None
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object")
        return body
