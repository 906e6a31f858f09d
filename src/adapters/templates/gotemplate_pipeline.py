"""The inside of a Go template action: its tokens and its pipeline (`.Field`, `$var`, literals, function calls,
`(pipeline).Field`, `a | f b`) parsed into expression nodes (the subset email templates use; see gotemplate.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class GoTemplateError(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


FUNCS: tuple[str, ...] = (
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "len",
    "index",
    "printf",
    "print",
    "println",
)
FUNCS += ("html", "urlquery", "js")
_UNSUPPORTED = ("define", "template", "block", "break", "continue", "call", "slice")


@dataclass
class Field:
    base: str  # "dot", "root" or a variable name
    names: tuple[str, ...] = ()


@dataclass
class Lit:
    value: Any


@dataclass
class Call:
    name: str
    args: list[Any] = field(default_factory=list)


@dataclass
class Chain:  # (pipeline).Field
    inner: Any
    names: tuple[str, ...]


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<raw>`[^`]*`)
    | (?P<num>-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)
    | (?P<field>(?:\.[A-Za-z_]\w*)+|\.)
    | (?P<var>\$\w*(?:\.[A-Za-z_]\w*)*)
    | (?P<declare>:=)
    | (?P<assign>=)
    | (?P<punct>[()|,])
    | (?P<ident>[A-Za-z_]\w*)
    )""",
    re.VERBOSE,
)


def tokens(src: str, line: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    src = src.strip()
    while pos < len(src):
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise GoTemplateError(f"unexpected {src[pos:].strip()[:20]!r} in {{{{{src}}}}}", line)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        # a field right after ")" continues the parenthesised value: `(index .Items 0).Name`
    return out


class PipelineParser:
    def __init__(self, tokens: list[tuple[str, str]], line: int, src: str) -> None:
        self.t, self.i, self.line, self.src = tokens, 0, line, src

    def error(self, what: str) -> GoTemplateError:
        return GoTemplateError(f"{what} in {{{{{self.src}}}}}", self.line)

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise self.error("unexpected end")
        self.i += 1
        return tok

    def done(self) -> bool:
        return self.i >= len(self.t)

    def pipeline(self, stop: tuple[str, ...] = ()) -> Any:
        value = self.command(stop)
        while (tok := self.peek()) is not None and tok == ("punct", "|"):
            self.i += 1
            nxt = self.command(stop)
            if not isinstance(nxt, Call):
                raise self.error("a pipeline stage must be a function")
            nxt.args.append(value)
            value = nxt
        return value

    def command(self, stop: tuple[str, ...]) -> Any:
        operands: list[Any] = []
        while (tok := self.peek()) is not None and tok[1] not in ("|", ")", *stop):
            operands.append(self.operand())
        if not operands:
            raise self.error("missing value")
        head = operands[0]
        if isinstance(head, Call) and not head.args and len(operands) >= 1 and getattr(head, "_bare", False):
            return Call(head.name, operands[1:])
        if len(operands) > 1:
            raise self.error("only a function can take arguments")
        return head

    def operand(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            try:
                value: Any = json.loads(text)
            except ValueError:
                raise self.error(f"bad string {text}") from None
            return Lit(value)
        if kind == "raw":
            return Lit(text[1:-1])
        if kind == "num":
            return Lit(float(text) if any(c in text for c in ".eE") else int(text))
        if kind == "field":
            return Field("dot", tuple(n for n in text.split(".") if n))
        if kind == "var":
            name, *names = text.split(".")
            return Field("root" if name == "$" else name[1:], tuple(names))
        if kind == "punct" and text == "(":
            inner = self.pipeline(stop=(")",))
            if self.take() != ("punct", ")"):
                raise self.error("missing ')'")
            nxt = self.peek()
            if nxt is not None and nxt[0] == "field" and nxt[1] != ".":
                self.i += 1
                return Chain(inner, tuple(n for n in nxt[1].split(".") if n))
            return inner
        if kind == "ident":
            if text in ("true", "false"):
                return Lit(text == "true")
            if text == "nil":
                return Lit(None)
            if text in _UNSUPPORTED:
                raise self.error(f"`{text}` is not supported (only one template per file)")
            if text not in FUNCS:
                raise self.error(f"unknown function {text!r} (known: {', '.join(FUNCS)})")
            call = Call(text)
            call._bare = True  # type: ignore[attr-defined]
            return call
        raise self.error(f"unexpected {text!r}")
