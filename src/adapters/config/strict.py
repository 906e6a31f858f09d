"""Decode YAML data into domain dataclasses: unknown keys refused, errors naming the file and key path."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from domain.errors import ConfigError

from .envexpand import ExpansionError, expand_tree
from .yaml_limits import YamlTooLarge, check_yaml_bounds

T = TypeVar("T")

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Loader = yaml.SafeLoader


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _prepare(node: Any, tp: Any, path: str, where: str) -> Any:
    """Apply key renames (field metadata 'key') and refuse unknown keys, recursively along the types."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            if arg is type(None):
                continue
            return _prepare(node, arg, path, where)
        return node
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(node, dict):
            return node
        hints = _hints(tp)
        by_key = {
            f.metadata.get("key", f.name): f
            for f in dataclasses.fields(tp)
            if f.init and not f.metadata.get("internal")
        }
        out: dict[str, Any] = {}
        for key, value in node.items():
            f = by_key.get(str(key))
            if f is None:
                known = ", ".join(sorted(by_key))
                raise ConfigError(
                    f"{where}: unknown key `{path + '.' if path else ''}{key}` (expected one of: {known})"
                )
            out[f.name] = _prepare(value, hints[f.name], f"{path}.{key}" if path else str(key), where)
        return out
    if origin in (list, tuple, set, frozenset) and isinstance(node, list):
        args = typing.get_args(tp)
        inner = args[0] if args else Any
        return [_prepare(v, inner, f"{path}[{i}]", where) for i, v in enumerate(node)]
    if origin is dict and isinstance(node, dict):
        args = typing.get_args(tp)
        inner = args[1] if len(args) == 2 else Any
        return {k: _prepare(v, inner, f"{path}.{k}" if path else str(k), where) for k, v in node.items()}
    return node


_LOC_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[\.\.\.\]")
_NAMED = re.compile(r"^`([A-Za-z_][A-Za-z0-9_]*)`: (.*)$", re.DOTALL)


def _fails(node: Any, tp: Any) -> bool:
    try:
        msgspec.convert(node, tp, strict=False)
    except msgspec.ValidationError:
        return True
    return False


def _unwrap(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return next((a for a in typing.get_args(tp) if a is not type(None)), tp)
    return tp


def _yaml_path(data: Any, cls: Any, loc: str) -> str:
    """msgspec's location (`$.tables[...].type`) as the YAML key path (`tables.tasks.type`).

    msgspec says `[...]` for a mapping value and uses attribute names; the file has keys (`from`, not
    `from_address`), so walk the data along the types to name the entry that fails.
    """
    out: list[str] = []
    node, tp = data, cls
    for m in _LOC_PART.finditer(loc.removeprefix("$")):
        tp = _unwrap(tp)
        name, index = m.group(1), m.group(2)
        if name is not None:
            key = name
            if dataclasses.is_dataclass(tp) and isinstance(tp, type):
                f = next((f for f in dataclasses.fields(tp) if f.name == name), None)
                key = f.metadata.get("key", name) if f is not None else name
                tp = _hints(tp).get(name, Any)
            else:
                tp = Any
            out.append(f".{key}")
            node = node.get(name) if isinstance(node, dict) else None
        elif index is not None:
            args = typing.get_args(tp)
            tp = args[0] if args else Any
            out.append(f"[{index}]")
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
        else:
            args = typing.get_args(tp)
            tp = args[1] if len(args) == 2 else Any
            found = next((k for k, v in node.items() if _fails(v, tp)), None) if isinstance(node, dict) else None
            if found is None:
                out.append("[...]")
                node = None
            else:
                out.append(f".{found}")
                node = node[found]
    return "".join(out).lstrip(".")


def convert(data: Any, cls: type[T], where: str) -> T:
    """`data` (already parsed) as `cls`, or ConfigError('{where}: at key: what was expected')."""
    data = _prepare(data, cls, "", where)
    try:
        return msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as exc:
        msg = str(exc)
        text, _, loc = msg.rpartition(" - at `")
        if not text:
            text, loc = msg, "$"
        key = _yaml_path(data, cls, loc.rstrip("`"))
        named = _NAMED.match(text)
        if named:  # a domain check naming its own key ("`jwt_expiry`: expected a duration ...")
            key = f"{key}.{named.group(1)}" if key else named.group(1)
            text = named.group(2)
        raise ConfigError(f"{where}: at `{key or '(top level)'}`: {text[0].lower() + text[1:]}") from None


def parse_yaml(text: str) -> Any:
    """The data of a YAML text with the safe loader, once it passed the size, depth and alias bounds
    (YamlTooLarge; yaml.YAMLError when it does not parse)."""
    check_yaml_bounds(text)
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader


def read_yaml(path: Path, env: dict[str, str] | None = None) -> Any:
    """Parse `path` and expand `${VAR}` in its strings; ConfigError naming the file on any problem."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlTooLarge as exc:
        raise ConfigError(f"{path}: refused: {exc}") from None
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: invalid YAML{line}: {problem}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return expand_tree(raw, env)
    except ExpansionError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_yaml_as(path: Path, cls: type[T], env: dict[str, str] | None = None) -> T:
    data = read_yaml(path, env)
    if data is None:
        data = {}
    return convert(data, cls, str(path))
