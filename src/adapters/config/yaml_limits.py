"""Bounds on YAML before it is built into Python objects: size, nesting depth, and alias expansion.

A YAML "billion laughs" (anchors whose aliases refer to other aliases) is a few hundred bytes that expands to
billions of nodes in whatever walks the loaded data; deep nesting overflows the recursive code that walks it. Both
are measured on libyaml's event stream (flat, no recursion), before anything is composed.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 200_000  # every value counted as often as aliases repeat it

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


class YamlTooLarge(ValueError):
    """The text passes one of the bounds; the message says which."""


def check_yaml_bounds(text: str) -> None:
    """YamlTooLarge when `text` is over MAX_BYTES, nests deeper than MAX_DEPTH, expands (through aliases) to more
    than MAX_NODES values, or has an alias inside its own anchor; yaml.YAMLError when it does not parse."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise YamlTooLarge(f"the YAML is over {MAX_BYTES // (1024 * 1024)} MiB")
    sizes: dict[str, int] = {}  # anchor -> values it stands for, once closed
    stack: list[list[Any]] = [[None, 0]]  # per open collection: [anchor, values inside so far]
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(stack) > MAX_DEPTH:
                raise YamlTooLarge(f"the YAML is nested more than {MAX_DEPTH} levels deep")
            stack.append([event.anchor, 0])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, inside = stack.pop()
            _add(stack, inside + 1)
            if anchor is not None:
                sizes[anchor] = inside + 1
        elif isinstance(event, yaml.ScalarEvent):
            _add(stack, 1)
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in stack):
                raise YamlTooLarge(f"the alias *{event.anchor} refers to a value that contains it")
            _add(stack, sizes.get(event.anchor, 1) if event.anchor is not None else 1)


def _add(stack: list[list[Any]], count: int) -> None:
    stack[-1][1] += count
    if stack[-1][1] > MAX_NODES:
        raise YamlTooLarge(f"the YAML expands to more than {MAX_NODES} values (aliases included)")
