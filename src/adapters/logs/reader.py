"""LogReader over sogoms-logs' files: `{LOG_DIR}/{app}-{YYYYMMDD}-{type}.log`, read backwards, newest first."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from application.admin.ports import LogLine

_FILE = re.compile(r"^(?P<app>.+)-(?P<day>\d{8})-(?P<type>[a-z][a-z0-9_]*)\.log$")
BLOCK = 64 * 1024
MAX_LINE = 1 << 20


def reverse_lines(path: Path) -> Iterator[bytes]:
    """The file's lines, last first, reading it in blocks from the end (a day's file may be large)."""
    with open(path, "rb") as fh:
        pos = fh.seek(0, 2)
        rest = b""
        while pos > 0:
            step = min(BLOCK, pos)
            pos -= step
            fh.seek(pos)
            chunk = fh.read(step) + rest
            parts = chunk.split(b"\n")
            rest = parts[0][-MAX_LINE:]
            for line in reversed(parts[1:]):
                if line.strip():
                    yield line
        if rest.strip():
            yield rest


def _parse(line: bytes, type_: str) -> LogLine:
    try:
        entry = msgspec.json.decode(line)
    except (msgspec.DecodeError, RecursionError):  # a line nested past the decoder is shown raw
        entry = None
    if not isinstance(entry, dict):
        entry = {"raw": line.decode("utf-8", "replace")}
    return LogLine(str(entry.get("ts", "")), type_, entry)


class JsonLinesLogReader:
    """Implements LogReader. Several types of one day are merged by timestamp, newest first."""

    def __init__(self, log_dir: Path) -> None:
        self._dir = Path(log_dir)

    def _files(self, app: str) -> list[tuple[str, str, Path]]:
        if not self._dir.is_dir():
            return []
        found = []
        for path in self._dir.glob(f"{glob_escape(app)}-*-*.log"):
            m = _FILE.match(path.name)
            if m and m.group("app") == app:
                found.append((m.group("day"), m.group("type"), path))
        return found

    async def days(self, app_id: str) -> list[str]:
        files = await asyncio.to_thread(self._files, app_id)
        return sorted({day for day, _, _ in files}, reverse=True)

    async def types(self, app_id: str) -> list[str]:
        files = await asyncio.to_thread(self._files, app_id)
        return sorted({t for _, t, _ in files})

    def _read(
        self, app: str, day: str, types: tuple[str, ...], text: str, offset: int, limit: int
    ) -> tuple[list[LogLine], bool]:
        wanted = [(t, p) for d, t, p in self._files(app) if d == day and (not types or t in types)]
        needle = text.casefold()

        def lines(type_: str, path: Path) -> Iterator[LogLine]:
            newer = "9999"  # a line without a timestamp keeps its place: it sorts as its newer neighbour
            for raw in reverse_lines(path):
                line = _parse(raw, type_)
                if line.ts:
                    newer = line.ts
                else:
                    line = LogLine(newer, type_, line.entry)
                if needle and needle not in raw.decode("utf-8", "replace").casefold():
                    continue
                yield line

        merged = heapq.merge(*(lines(t, p) for t, p in wanted), key=lambda ln: ln.ts, reverse=True)
        page = list(itertools.islice(merged, offset, offset + limit + 1))
        return page[:limit], len(page) > limit

    async def read(
        self, app_id: str, day: str, types: tuple[str, ...], text: str, offset: int, limit: int
    ) -> tuple[list[LogLine], bool]:
        return await asyncio.to_thread(self._read, app_id, day, types, text, offset, limit)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


SHOWN = ("ts", "app", "type", "event", "message", "level")


def entry_details(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The line's other fields as (key, text) pairs, `data` flattened one level, for display."""
    fields = {k: v for k, v in entry.items() if k not in SHOWN and k != "data"}
    data = entry.get("data")
    if isinstance(data, dict):
        fields.update(data)
    elif data is not None:
        fields["data"] = data
    out = []
    for key, value in fields.items():
        if value in (None, "", [], {}):
            continue
        text = value if isinstance(value, str) else msgspec.json.encode(value).decode()
        out.append((str(key), text[:2000]))
    return out


def entry_time(ts: str) -> str:
    """'2030-01-02T08:00:01.250+00:00' -> '08:00:01.250' (the page already shows the day)."""
    _, sep, rest = ts.partition("T")
    return rest.split("+", 1)[0].rstrip("Z") if sep else ts


def entry_text(entry: dict[str, Any]) -> str:
    """The line's message for display: the event name or the error message."""
    return str(entry.get("event") or entry.get("message") or entry.get("raw") or "")
