"""The LogSink port on files: `{LOG_DIR}/{app}-{YYYYMMDD}-{type}.log`, JSON lines, acknowledged once written."""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import msgspec

from adapters.context import request_id
from domain.errors import BadRequest

log = logging.getLogger("sogoms.logs")

_APP = re.compile(r"^[a-z_][a-z0-9_-]{0,62}$")
_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_FILE = re.compile(r"^(?P<app>[a-z_][a-z0-9_-]*)-(?P<day>\d{8})-(?P<type>[a-z][a-z0-9_]*)\.log$")
LEVELS = ("error", "warn", "info")


def _encode_default(obj: Any) -> Any:
    return str(obj)


_encoder = msgspec.json.Encoder(enc_hook=_encode_default)


# Characters some readers take as a line break or a terminal control even when JSON leaves them as they are:
# C1 controls (U+0085 NEL splits lines for str.splitlines(), U+009B is a one-byte CSI) and U+2028/U+2029.
_UNSAFE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]")


def _escape(m: re.Match[bytes]) -> bytes:
    return b"\\u%04x" % ord(m.group(0).decode())


def encode_line(entry: dict[str, Any]) -> bytes:
    """One JSON line: no control character (newline, ANSI escape, C1, U+2028/9) can break or forge a line."""
    data = _encoder.encode(entry)  # escapes every control character below U+0020
    if _UNSAFE.search(data):
        data = _UNSAFE.sub(_escape, data)
    return data + b"\n"


class _File:
    __slots__ = ("fh", "lock", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = asyncio.Lock()
        self.fh: IO[bytes] = open(path, "ab")  # noqa: SIM115 - kept open, closed on rotation


class JsonLinesLogSink:
    """Implements LogSink. One writer (lock + handle) per file; a day change opens the next file."""

    def __init__(
        self,
        log_dir: Path,
        retention_days: Callable[[str], int] = lambda _app: 30,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        fsync: bool = False,
    ) -> None:
        self._dir = Path(log_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._retention = retention_days
        self._clock = clock
        self._fsync = fsync
        self._files: dict[tuple[str, str, str], _File] = {}

    def set_retention(self, days_by_app: dict[str, int], default: int = 30) -> None:
        self._retention = lambda app: days_by_app.get(app, default)

    def path_for(self, app: str, type: str, when: datetime | None = None) -> Path:
        day = (when or self._clock()).strftime("%Y%m%d")
        return self._dir / f"{app}-{day}-{type}.log"

    def _file(self, app: str, type: str, day: str) -> _File:
        key = (app, type, day)
        f = self._files.get(key)
        if f is None:
            for old in [k for k in self._files if k[0] == app and k[1] == type and k[2] != day]:
                self._files.pop(old).fh.close()
            f = self._files[key] = _File(self._dir / f"{app}-{day}-{type}.log")
        return f

    async def _write(self, app: str, type: str, entry: dict[str, Any]) -> None:
        if not _APP.match(app or ""):
            raise BadRequest(f"Invalid app id {app!r}")
        if not _TYPE.match(type or ""):
            raise BadRequest(f"Invalid log type {type!r}")
        now = self._clock()
        line = encode_line({"ts": now.isoformat(timespec="milliseconds"), "app": app, "type": type, **entry})
        f = self._file(app, type, now.strftime("%Y%m%d"))
        async with f.lock:
            f.fh.write(line)
            f.fh.flush()
            if self._fsync:
                await asyncio.to_thread(os.fsync, f.fh.fileno())

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events"
    ) -> None:
        if not isinstance(event, str) or not event:
            raise BadRequest("event must be a non-empty string")
        entry: dict[str, Any] = {"event": event[:200], "request_id": request_id.get()}
        if data:
            entry["data"] = data
        await self._write(app_id, type, entry)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None
    ) -> None:
        if level not in LEVELS:
            raise BadRequest(f"level must be one of {', '.join(LEVELS)}")
        entry: dict[str, Any] = {
            "level": level,
            "message": str(message)[:10000],
            "request_id": request_id.get(),
        }
        if data:
            entry["data"] = data
        await self._write(app_id, "errors", entry)

    async def health(self) -> dict[str, Any]:
        ok = os.access(self._dir, os.W_OK)
        return {"ok": ok, "dir": str(self._dir), "open_files": len(self._files)}

    def purge(self) -> list[Path]:
        """Delete files older than their app's retention_days; the names of the deleted files."""
        today = self._clock().date()
        removed: list[Path] = []
        for path in self._dir.glob("*.log"):
            m = _FILE.match(path.name)
            if not m:
                continue
            try:
                day = datetime.strptime(m.group("day"), "%Y%m%d").date()
            except ValueError:
                continue
            if day < today - timedelta(days=self._retention(m.group("app"))):
                for key in [k for k, f in self._files.items() if f.path == path]:
                    self._files.pop(key).fh.close()
                path.unlink(missing_ok=True)
                removed.append(path)
        if removed:
            log.info("retention: deleted %d old log files", len(removed))
        return removed

    def close(self) -> None:
        for f in self._files.values():
            f.fh.close()
        self._files.clear()
