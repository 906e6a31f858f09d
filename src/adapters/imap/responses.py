"""Reading aioimaplib's responses: a command's status, SEARCH's UIDs, FETCH's messages and their attributes."""

from __future__ import annotations

import re
from typing import Any

from domain.errors import Unavailable

UID = re.compile(rb"UID (\d+)")
SIZE = re.compile(rb"RFC822\.SIZE (\d+)")
FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
EXISTS = re.compile(rb"^(\d+) EXISTS")
LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<sep>"[^"]*"|NIL) (?P<name>.+)$')


class ImapError(Unavailable):
    code = "IMAP_ERROR"
    default_message = "The IMAP server refused the command"


def ok(response: Any, what: str) -> Any:
    if response.result != "OK":
        text = b" ".join(x for x in response.lines if isinstance(x, bytes))[:300].decode(errors="replace")
        raise ImapError(f"{what}: {response.result} {text}".strip())
    return response


def quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_uids(lines: list[Any]) -> list[int]:
    """The UIDs of a SEARCH response (aioimaplib strips `* SEARCH`; the last line is the tagged status text)."""
    out: list[int] = []
    for line in lines[:-1]:
        if isinstance(line, bytes):
            words = line.split()
            if words and words[0].upper() == b"SEARCH":
                words = words[1:]
            if all(w.isdigit() for w in words):
                out.extend(int(w) for w in words)
    return out


def fetched_messages(lines: list[Any]) -> list[tuple[bytes, bytes]]:
    """(the FETCH line, its literal) pairs of a FETCH response."""
    found: list[tuple[bytes, bytes]] = []
    head: bytes | None = None
    for line in lines:
        if isinstance(line, bytes) and b" FETCH (" in line:
            if head is not None:
                found.append((head, b""))
            head = line
        elif isinstance(line, bytearray) and head is not None:
            found.append((head, bytes(line)))
            head = None
        elif isinstance(line, bytes) and head is not None and line.startswith(b" UID"):
            head += line  # some servers put UID after the literal
    if head is not None:
        found.append((head, b""))
    return found
