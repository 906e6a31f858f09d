"""Go `text/template` syntax parsed into a small tree (the subset email templates use; see gotemplate.py):
the text and the actions between `{{ }}`, the blocks they open and close. Each action's pipeline is parsed by
gotemplate_pipeline.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .gotemplate_pipeline import GoTemplateError, Lit, PipelineParser, tokens


# A parsed template: a list of nodes
@dataclass
class Text:
    text: str


@dataclass
class Output:
    value: Any
    trim_left: bool
    trim_right: bool


@dataclass
class Block:
    kind: str  # if | range | with
    branches: list[tuple[Any, list[Any]]]  # (condition or None for else, body)
    keyvar: str = ""
    valvar: str = ""
    trim: tuple[bool, bool] = (False, False)


@dataclass
class SetVar:
    name: str
    value: Any
    declare: bool


@dataclass
class Comment:
    text: str


def _split(text: str) -> Iterator[tuple[str, str, bool, bool, int]]:
    """("text", s, ...) and ("action", inner, trim_left, trim_right, line) pieces; strings in actions respected."""
    pos = 0
    n = len(text)
    while pos < n:
        start = text.find("{{", pos)
        if start == -1:
            yield ("text", text[pos:], False, False, 0)
            return
        if start > pos:
            yield ("text", text[pos:start], False, False, 0)
        line = text.count("\n", 0, start) + 1
        i = start + 2
        trim_left = text.startswith("-", i) and i + 1 < n and text[i + 1] in " \t\r\n"
        if trim_left:
            i += 1
        if text[i:].lstrip().startswith("/*"):  # a comment: anything up to */ then }}
            close = text.find("*/", i)
            m = re.compile(r"\*/\s*(-?)\s*\}\}").match(text, close) if close != -1 else None
            if m is None:
                raise GoTemplateError("unclosed comment (expected '*/}}')", line)
            yield ("action", text[i : close + 2], trim_left, m.group(1) == "-", line)
            pos = m.end()
            continue
        j = i
        quote = ""
        end = -1
        while j < n:
            c = text[j]
            if quote:
                if c == "\\" and quote == '"':
                    j += 2
                    continue
                if c == quote:
                    quote = ""
            elif c in '"`':
                quote = c
            elif text.startswith("}}", j):
                end = j
                break
            j += 1
        if end == -1:
            raise GoTemplateError("unclosed action (missing '}}')", line)
        inner = text[i:end]
        trim_right = len(inner) >= 2 and inner[-1] == "-" and inner[-2] in " \t\r\n"
        if trim_right:
            inner = inner[:-1]
        yield ("action", inner, trim_left, trim_right, line)
        pos = end + 2


def parse(text: str) -> list[Any]:
    """The template's nodes; GoTemplateError (with the line) on what is not Go template syntax or not supported."""
    root: list[Any] = []
    stack: list[tuple[Block, list[Any]]] = []
    body = root
    for kind, inner, tl, tr, line in _split(text):
        if kind == "text":
            body.append(Text(inner))
            continue
        src = inner.strip()
        trims = (tl, tr)
        if src.startswith("/*"):
            _trimmed(body, tl, Comment(src[2:-2]), tr)
            continue
        toks = tokens(src, line)
        p = PipelineParser(toks, line, src)
        head = toks[0] if toks else ("", "")
        if head == ("ident", "if") or head == ("ident", "with"):
            p.i = 1
            cond = p.pipeline()
            block = Block(head[1], [(cond, [])], trim=trims)
            body.append(Output(Lit(""), tl, False)) if tl else None
            stack.append((block, body))
            body = block.branches[-1][1]
        elif head == ("ident", "range"):
            p.i = 1
            keyvar = valvar = ""
            if len(toks) > 2 and toks[1][0] == "var" and any(t[0] == "declare" for t in toks):
                names = []
                while p.peek() is not None and p.peek() != ("declare", ":="):
                    k, v = p.take()
                    if k == "var":
                        names.append(v[1:])
                    elif (k, v) != ("punct", ","):
                        raise p.error("bad range variables")
                p.take()
                if len(names) == 1:
                    valvar = names[0]
                elif len(names) == 2:
                    keyvar, valvar = names
                else:
                    raise p.error("range takes one or two variables")
            cond = p.pipeline()
            block = Block("range", [(cond, [])], keyvar, valvar, trim=trims)
            body.append(Output(Lit(""), tl, False)) if tl else None
            stack.append((block, body))
            body = block.branches[-1][1]
        elif head == ("ident", "else"):
            if not stack:
                raise GoTemplateError("{{else}} outside if/range/with", line)
            block = stack[-1][0]
            if block.branches[-1][0] is None:
                raise GoTemplateError("a second {{else}}", line)
            body.append(Output(Lit(""), tl, False)) if tl else None
            if len(toks) > 1:
                if toks[1] != ("ident", "if") or block.kind != "if":
                    raise GoTemplateError("only `else if` may follow else", line)
                p.i = 2
                block.branches.append((p.pipeline(), []))
            else:
                block.branches.append((None, []))
                p.i = 1
            body = block.branches[-1][1]
            body.append(Output(Lit(""), False, tr)) if tr else None
        elif head == ("ident", "end"):
            if len(toks) != 1:
                raise GoTemplateError("{{end}} takes nothing", line)
            if not stack:
                raise GoTemplateError("{{end}} without if/range/with", line)
            body.append(Output(Lit(""), tl, False)) if tl else None
            p.i = 1
            block, body = stack.pop()
            body.append(block)
            body.append(Output(Lit(""), False, tr)) if tr else None
        elif len(toks) >= 2 and toks[0][0] == "var" and toks[1][0] in ("declare", "assign"):
            if "." in toks[0][1] or toks[0][1] == "$":
                raise GoTemplateError("only a plain $variable can be set", line)
            p.i = 2
            _trimmed(body, tl, SetVar(toks[0][1][1:], p.pipeline(), toks[1][0] == "declare"), tr)
        else:
            value = p.pipeline()
            body.append(Output(value, tl, tr))
        if not p.done():
            raise p.error(f"unexpected {p.peek()[1]!r}")  # type: ignore[index]
        if head[1] in ("if", "with", "range"):
            body.append(Output(Lit(""), False, tr)) if tr else None
    if stack:
        raise GoTemplateError(f"{{{{{stack[-1][0].kind}}}}} without {{{{end}}}}", text.count("\n") + 1)
    return root


def _trimmed(body: list[Any], left: bool, node: Any, right: bool) -> None:
    """`node` with Go's `{{-` / `-}}` around it, as empty outputs that trim (the node itself prints nothing)."""
    if left:
        body.append(Output(Lit(""), True, False))
    body.append(node)
    if right:
        body.append(Output(Lit(""), False, True))
