"""`${VAR}` and `${VAR:-default}` (defaults may nest) expanded in every string of a YAML document."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


class ExpansionError(ValueError):
    pass


def expand(text: str, env: Mapping[str, str] | None = None) -> str:
    """Expand variables in `text`; `$$` is a literal `$`. An unset `${VAR}` without default is an error."""
    env = os.environ if env is None else env
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n and text[i + 1] == "$":
            out.append("$")
            i += 2
        elif c == "$" and i + 1 < n and text[i + 1] == "{":
            end = _closing(text, i + 2)
            out.append(_resolve(text[i + 2 : end], env))
            i = end + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _closing(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{" and text[j - 1] == "$":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise ExpansionError(f"unclosed '${{' in {text!r}")


def _resolve(body: str, env: Mapping[str, str]) -> str:
    name, sep, default = body.partition(":-")
    if not name or not (name[0].isalpha() or name[0] == "_") or not all(ch.isalnum() or ch == "_" for ch in name):
        raise ExpansionError(f"invalid variable name {name!r} in '${{{body}}}'")
    value = env.get(name)
    if value:
        return value
    if sep:
        return expand(default, env)
    if value is not None:
        return value
    raise ExpansionError(f"environment variable {name} is not set (write ${{{name}:-default}} to give a default)")


def expand_tree(node: Any, env: Mapping[str, str] | None = None) -> Any:
    if isinstance(node, str):
        return expand(node, env) if "$" in node else node
    if isinstance(node, list):
        return [expand_tree(v, env) for v in node]
    if isinstance(node, dict):
        return {k: expand_tree(v, env) for k, v in node.items()}
    return node
