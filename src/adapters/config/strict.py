"""Decode YAML data into domain dataclasses: unknown keys refused, errors naming the file and key path."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from domain.errors import ConfigError

from .envexpand import ExpansionError, expand_tree

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
        out = {}
        for k, v in node.items():
            at = f"{path}.{k}" if path else str(k)
            out[k] = _prepare(v, inner, at, where)
            if dataclasses.is_dataclass(inner):
                # msgspec reports a dict entry as `[...]`; decode each entry here so the error names its key
                try:
                    msgspec.convert(out[k], inner, strict=False)
                except msgspec.ValidationError as exc:
                    raise _config_error(exc, at, where) from None
        return out
    return node


def _config_error(exc: msgspec.ValidationError, prefix: str, where: str) -> ConfigError:
    msg = str(exc)
    text, _, loc = msg.rpartition(" - at `")
    if not text:
        return ConfigError(f"{where}: at `{prefix}`: {msg}" if prefix else f"{where}: {msg}")
    key = loc.rstrip("`").removeprefix("$").lstrip(".")
    key = f"{prefix}.{key}" if prefix and key else (prefix or key or "(top level)")
    return ConfigError(f"{where}: at `{key}`: {text[0].lower() + text[1:]}")


def convert(data: Any, cls: type[T], where: str) -> T:
    """`data` (already parsed) as `cls`, or ConfigError('{where}: at key: what was expected')."""
    data = _prepare(data, cls, "", where)
    try:
        return msgspec.convert(data, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise _config_error(exc, "", where) from None


def read_yaml(path: Path, env: dict[str, str] | None = None) -> Any:
    """Parse `path` and expand `${VAR}` in its strings; ConfigError naming the file on any problem."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
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
