"""The LogSink port on files: `{LOG_DIR}/{app}-{YYYYMMDD}-{type}.log`, JSON lines, acknowledged once written.

Bounded whatever it is sent: only the apps `known` accepts get a file (others are refused), at most `max_open`
files are open (least recently written closed first) and a new day closes the previous day's files. A write that
fails (disk full, read-only file) answers SERVICE_UNAVAILABLE and shows in `health` until a write succeeds again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import msgspec

from adapters.context import request_id
from domain.errors import BadRequest, Unavailable, UnknownApp

log = logging.getLogger("sogoms.logs")

_APP = re.compile(r"^[a-z_][a-z0-9_-]{0,62}$")
_TYPE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_FILE = re.compile(r"^(?P<app>[a-z_][a-z0-9_-]*)-(?P<day>\d{8})-(?P<type>[a-z][a-z0-9_]*)\.log$")
LEVELS = ("error", "warn", "info")
MAX_OPEN = 128  # open log files at most; the least recently written is closed first
FAILING_FOR = 15.0  # seconds a failed write keeps health at ok: false (unless a write to that file succeeds)


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
        known: Callable[[str], bool] | None = None,
        max_open: int = MAX_OPEN,
    ) -> None:
        self._dir = Path(log_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._retention = retention_days
        self._clock = clock
        self._fsync = fsync
        self._known = known  # None: any well-formed app id (in-process use by a service that checks its apps)
        self._max_open = max(1, max_open)
        self._files: OrderedDict[tuple[str, str, str], _File] = OrderedDict()
        self._day = ""
        self.written = 0
        self.write_errors = 0
        self.refused = 0
        self._last_error = ""
        self._failing: dict[tuple[str, str, str], tuple[str, float]] = {}  # last write failed: why, when

    def set_retention(self, days_by_app: dict[str, int], default: int = 30) -> None:
        self._retention = lambda app: days_by_app.get(app, default)

    def path_for(self, app: str, type: str, when: datetime | None = None) -> Path:
        day = (when or self._clock()).strftime("%Y%m%d")
        return self._dir / f"{app}-{day}-{type}.log"

    def _close(self, key: tuple[str, str, str]) -> None:
        f = self._files.pop(key, None)
        if f is not None:
            try:
                f.fh.close()
            except OSError as exc:  # its buffer could not be flushed (disk full): the entry was already refused
                log.warning("closing %s: %s", f.path.name, exc)

    def close_stale(self, day: str | None = None) -> int:
        """Close the files of days before `day` (today): a new day's entries go to new files. How many were closed."""
        day = day or self._clock().strftime("%Y%m%d")
        old = [k for k in self._files if k[2] != day]
        for key in old:
            self._close(key)
        self._failing = {k: v for k, v in self._failing.items() if k[2] == day}  # a new day, new files
        self._day = day
        return len(old)

    def _file(self, app: str, type: str, day: str) -> _File:
        if day != self._day:  # a new day: yesterday's files are done with
            self.close_stale(day)
        key = (app, type, day)
        f = self._files.get(key)
        if f is None:
            while len(self._files) >= self._max_open:
                self._close(next(iter(self._files)))
            f = self._files[key] = _File(self._dir / f"{app}-{day}-{type}.log")
        else:
            self._files.move_to_end(key)
        return f

    def _failed(self, key: tuple[str, str, str], exc: OSError) -> Unavailable:
        self.write_errors += 1
        self._last_error = f"{key[0]}-{key[2]}-{key[1]}.log: {exc.strerror or exc}"
        self._failing[key] = (self._last_error, time.monotonic())
        log.error("log store cannot write %s", self._last_error)
        f = self._files.get(key)
        if f is not None:  # drop the handle (and what its buffer kept): the next entry opens the file afresh
            self._files.pop(key)
            with contextlib.suppress(OSError):
                f.fh.close()
        return Unavailable(f"log store cannot write: {self._last_error}")

    async def _write(self, app: str, type: str, entry: dict[str, Any]) -> None:
        if not _APP.match(app or ""):
            raise BadRequest(f"Invalid app id {app!r}")
        if not _TYPE.match(type or ""):
            raise BadRequest(f"Invalid log type {type!r}")
        if self._known is not None and not self._known(app):
            self.refused += 1
            raise UnknownApp(f"unknown app {app!r}: no such app is configured")
        now = self._clock()
        line = encode_line({"ts": now.isoformat(timespec="milliseconds"), "app": app, "type": type, **entry})
        key = (app, type, now.strftime("%Y%m%d"))
        try:
            f = self._file(*key)
            async with f.lock:
                f.fh.write(line)
                f.fh.flush()
                if self._fsync:
                    await asyncio.to_thread(os.fsync, f.fh.fileno())
        except OSError as exc:
            raise self._failed(key, exc) from None
        self.written += 1
        self._failing.pop(key, None)

    async def log_event(
        self, app_id: str, event: str, data: dict[str, Any] | None = None, type: str = "events", **extra: Any
    ) -> None:
        """`extra`: params a caller (the Go services, say) sends beside these, kept in the entry's `data`."""
        if not isinstance(event, str) or not event:
            raise BadRequest("event must be a non-empty string")
        entry: dict[str, Any] = {"event": event[:200], "request_id": request_id.get()}
        data = _with_extra(data, extra)
        if data:
            entry["data"] = data
        await self._write(app_id, type, entry)

    async def log_error(
        self, app_id: str, message: str, level: str = "error", data: dict[str, Any] | None = None, **extra: Any
    ) -> None:
        if level not in LEVELS:
            raise BadRequest(f"level must be one of {', '.join(LEVELS)}")
        entry: dict[str, Any] = {
            "level": level,
            "message": str(message)[:10000],
            "request_id": request_id.get(),
        }
        data = _with_extra(data, extra)
        if data:
            entry["data"] = data
        await self._write(app_id, "errors", entry)

    @property
    def failing(self) -> bool:
        """A write failed less than FAILING_FOR seconds ago (and none has succeeded on that file since)."""
        now = time.monotonic()
        self._failing = {k: v for k, v in self._failing.items() if now - v[1] < FAILING_FOR}
        return bool(self._failing)

    async def health(self) -> dict[str, Any]:
        """ok: false while the folder is not writable or the last write failed (the service itself still answers)."""
        writable = os.access(self._dir, os.W_OK)
        report: dict[str, Any] = {
            "ok": writable and not self.failing,
            "dir": str(self._dir),
            "open_files": len(self._files),
            "max_open_files": self._max_open,
            "written": self.written,
            "write_errors": self.write_errors,
            "refused_unknown_app": self.refused,
        }
        if self.failing:
            report["error"] = f"writes failing: {'; '.join(why for why, _ in self._failing.values())}"
        elif not writable:
            report["error"] = f"log folder {self._dir} is not writable"
        if self._last_error:
            report["last_write_error"] = self._last_error
        return report

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
                    self._close(key)
                path.unlink(missing_ok=True)
                removed.append(path)
        if removed:
            log.info("retention: deleted %d old log files", len(removed))
        return removed

    def close(self) -> None:
        for key in list(self._files):
            self._close(key)


def _with_extra(data: dict[str, Any] | None, extra: dict[str, Any]) -> dict[str, Any] | None:
    """`data` with the call's other params kept beside it; a param also in `data` is refused, not overwritten."""
    if not extra:
        return data
    if data is not None and not isinstance(data, dict):
        raise BadRequest("data must be an object when other params are sent beside it")
    clash = sorted(set(extra) & set(data or {}))
    if clash:
        raise BadRequest(f"param(s) {', '.join(clash)} sent both beside and inside data")
    return {**(data or {}), **extra}
