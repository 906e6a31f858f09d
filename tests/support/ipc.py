"""Call a service over its Unix socket from a (synchronous) test, as any client of the protocol would."""

from __future__ import annotations

import json
import socket
import struct
import uuid
from pathlib import Path
from typing import Any


class IpcError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


def ipc_call(path: Path, action: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
    """One request on a new connection; the result, or IpcError with the service's code."""
    frame = json.dumps({"id": uuid.uuid4().hex, "action": action, "params": params or {}}).encode()
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall(struct.pack(">I", len(frame)) + frame)
        head = _read(s, 4)
        body = json.loads(_read(s, struct.unpack(">I", head)[0]))
    if body.get("status") != "success":
        err = body.get("error") or {}
        raise IpcError(str(err.get("code")), str(err.get("message")))
    return body.get("result")


def _read(s: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the service closed the connection")
        data += chunk
    return data
