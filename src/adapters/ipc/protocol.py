"""Messages and frames of the IPC protocol.

Frame: 4-byte big-endian unsigned length, then that many bytes of UTF-8 JSON.
    {"id": "req_1", "action": "query", "params": {...}}                 request
    {"id": "req_1", "status": "success", "result": {...}}               success
    {"id": "req_1", "status": "error", "error": {"code": ..., "message": ...}}
`request_id` (optional, ours) carries the HTTP X-Request-ID into the service's log lines.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import re
from typing import Any

import msgspec

DEFAULT_MAX_FRAME = 16 * 1024 * 1024
HEADER = 4


class Request(msgspec.Struct, omit_defaults=True):
    id: str
    action: str
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    request_id: str = ""


class ErrorBody(msgspec.Struct, omit_defaults=True):
    code: str
    message: str
    fields: list[dict[str, str]] | None = None


class Response(msgspec.Struct, omit_defaults=True):
    id: str
    status: str
    result: Any = None
    error: ErrorBody | None = None


class _Id(msgspec.Struct):
    """Just enough of a bad request to answer it by id."""

    id: str = ""


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(obj)).decode()
    if isinstance(obj, dt.timedelta):
        return obj.total_seconds()
    raise TypeError(f"cannot send {type(obj).__name__} over IPC")


encoder = msgspec.json.Encoder(enc_hook=_enc_hook, decimal_format="number")
request_decoder = msgspec.json.Decoder(Request)
response_decoder = msgspec.json.Decoder(Response)
_id_decoder = msgspec.json.Decoder(_Id)
_LEADING_ID = re.compile(rb'\s*\{\s*"id"\s*:\s*("(?:[^"\\]|\\.)*")')


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER, "big") + payload


def encode_frame(message: Request | Response) -> bytes:
    """The whole frame (header + JSON) of a message, in one buffer so one write sends it."""
    buf = bytearray(HEADER)
    encoder.encode_into(message, buf, HEADER)
    buf[:HEADER] = (len(buf) - HEADER).to_bytes(HEADER, "big")
    return bytes(buf)


def best_effort_id(payload: bytes) -> str:
    """The `id` of a request that failed to decode, when it has one, so the error reaches its caller."""
    try:
        return _id_decoder.decode(payload).id
    except (msgspec.DecodeError, msgspec.ValidationError):
        return ""
    except RecursionError:  # nested past the decoder: the id is still read when it comes first, as clients send it
        found = _LEADING_ID.match(payload)
        try:
            return str(msgspec.json.decode(found.group(1))) if found else ""
        except msgspec.DecodeError:
            return ""


def wire(value: Any) -> Any:
    """A result as the JSON the other side can rebuild: a dataclass as its constructor's fields only.

    A domain object's derived state (`field(init=False)`: caches, presenter functions) is not data and cannot be
    encoded; the receiver rebuilds it from the constructor's fields (`msgspec.convert(result, Schema)`).
    Only dataclasses (and the containers inside them) are walked: a list of rows is sent as it is.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _wire_inner(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
    return value


def _wire_inner(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return wire(value)
    if isinstance(value, dict):
        return {k: _wire_inner(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        return [_wire_inner(v) for v in value]
    return value


def success(id: str, result: Any) -> Response:
    return Response(id=id, status="success", result=wire(result))


def failure(id: str, code: str, message: str, fields: list[dict[str, str]] | None = None) -> Response:
    return Response(id=id, status="error", error=ErrorBody(code=code, message=message, fields=fields))


class FrameBuffer:
    """Accumulates bytes and yields whole frame payloads; raises FrameTooLarge on an oversized header."""

    __slots__ = ("_buf", "_max")

    def __init__(self, max_frame: int = DEFAULT_MAX_FRAME) -> None:
        self._buf = bytearray()
        self._max = max_frame

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        pos = 0
        end = len(buf)
        while end - pos >= HEADER:
            size = int.from_bytes(buf[pos : pos + HEADER], "big")
            if size > self._max:
                raise FrameTooLarge(size, self._max)
            if end - pos - HEADER < size:
                break
            frames.append(bytes(buf[pos + HEADER : pos + HEADER + size]))
            pos += HEADER + size
        if pos:
            del buf[:pos]
        return frames


class FrameTooLarge(Exception):
    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"frame of {size} bytes is over the {limit}-byte limit")
        self.size, self.limit = size, limit
