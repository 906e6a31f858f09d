"""The functions a translated Go template calls at render time: Go's lookup, printing, comparisons and fmt verbs.

They only read the data they are given (dict keys, list items): nothing reaches a Python attribute, so a translated
template stays inside the Jinja2 sandbox's guarantees.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote_plus

from jinja2 import UndefinedError
from markupsafe import Markup, escape

# --- runtime functions ---------------------------------------------------------------------------------------------


class Missing:
    """A field the data does not have: false in a condition, empty in a range, an error naming it when printed."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __bool__(self) -> bool:
        return False

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __str__(self) -> str:
        raise UndefinedError(f"'{self.path}' is undefined")

    __html__ = __str__


def snake(name: str) -> str:
    """`UserName` -> `user_name`, `UserID` -> `user_id`, `Name` -> `name`."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def _lookup(obj: Any, name: str) -> tuple[bool, Any]:
    if not isinstance(obj, Mapping):
        return False, None
    if name in obj:
        return True, obj[name]
    for alias in (name[:1].lower() + name[1:], snake(name)):
        if alias in obj:
            return True, obj[alias]
    folded = name.replace("_", "").lower()
    for key in obj:
        if isinstance(key, str) and key.replace("_", "").lower() == folded:
            return True, obj[key]
    return False, None


def go_field(obj: Any, *names: str) -> Any:
    path = ""
    for name in names:
        path = f"{path}.{name}" if path else name
        if isinstance(obj, Missing):
            return Missing(path)
        found, obj = _lookup(obj, name)
        if not found:
            return Missing(path)
    return obj


def _text(value: Any) -> str:
    if isinstance(value, Missing):
        str(value)  # raises, naming the field
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + " ".join(_text(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{_text(value[k])}" for k in sorted(value, key=str)) + "]"
    return str(value)


def go_print_value(value: Any) -> Any:
    """What `{{pipeline}}` prints (Markup from `html` stays Markup, so the HTML body does not escape it twice)."""
    if isinstance(value, Markup):
        return value
    return _text(value)


def go_items(value: Any) -> list[tuple[Any, Any]]:
    if isinstance(value, Missing) or value is None:
        return []
    if isinstance(value, Mapping):
        return [(k, value[k]) for k in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    if isinstance(value, int) and not isinstance(value, bool):
        if value > 100_000:
            raise ValueError("range over a number larger than 100000")
        return [(i, i) for i in range(value)]
    raise TypeError(f"range can't iterate over {_text(value)!r}")


def _plain(value: Any) -> Any:
    return None if isinstance(value, Missing) else value


def _eq(a: Any, *others: Any) -> bool:
    if not others:
        raise TypeError("eq needs at least two arguments")
    return any(_plain(a) == _plain(b) for b in others)


def _ne(a: Any, b: Any) -> bool:
    return bool(_plain(a) != _plain(b))


def _cmp(name: str, a: Any, b: Any) -> bool:
    a, b = _plain(a), _plain(b)
    if isinstance(a, str) != isinstance(b, str):
        raise TypeError(f"{name}: incompatible types for comparison")
    if name == "lt":
        return bool(a < b)
    if name == "le":
        return bool(a <= b)
    if name == "gt":
        return bool(a > b)
    return bool(a >= b)


def _and(*args: Any) -> Any:
    for a in args:
        if not a:
            return a
    return args[-1]


def _or(*args: Any) -> Any:
    for a in args:
        if a:
            return a
    return args[-1]


def _index(value: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(value, Mapping):
            value = value.get(k)
        elif isinstance(value, list | tuple | str) and isinstance(k, int):
            value = value[k]
        else:
            raise TypeError(f"can't index {_text(value)!r} with {k!r}")
    return value


_VERB = re.compile(r"%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")


def go_sprintf(fmt: str, *args: Any) -> str:
    """Go's fmt.Sprintf for the verbs templates use (%s %v %d %f %e %g %q %t %x %X %o %c %%, width, precision, flags)."""
    items = list(args)

    def one(m: re.Match[str]) -> str:
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            return "%"
        if not items:
            return f"%!{verb}(MISSING)"
        value = _plain(items.pop(0))
        spec = flags + (width or "")
        try:
            if verb in "vs":
                text = _text(value)
                return ("%" + spec + (f".{prec}" if prec else "") + "s") % text
            if verb == "t":
                return ("%" + spec + "s") % _text(bool(value))
            if verb == "q":
                return ("%" + spec + "s") % json.dumps(_text(value), ensure_ascii=False)
            if verb in "dxXoc":
                return ("%" + spec + verb) % int(value)
            if verb in "feEgG":
                return ("%" + spec + (f".{prec}" if prec else "") + verb) % float(value)
        except (TypeError, ValueError):
            return f"%!{verb}({_text(value)})"
        return f"%!{verb}({_text(value)})"

    out = _VERB.sub(one, fmt)
    if items:
        out += "%!(EXTRA " + ", ".join(_text(_plain(v)) for v in items) + ")"
    return out


def _print(*args: Any) -> str:
    out = ""
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out += " "
        out += _text(_plain(a))
    return out


def _println(*args: Any) -> str:
    return " ".join(_text(_plain(a)) for a in args) + "\n"


def _html(*args: Any) -> Markup:
    return Markup(escape(_print(*args)))  # noqa: S704 - escaped just before


def _urlquery(*args: Any) -> str:
    return quote_plus(_print(*args))


def _js(*args: Any) -> str:
    return json.dumps(_print(*args))[1:-1].replace("<", "\\u003c").replace(">", "\\u003e")


def _len(value: Any) -> int:
    if isinstance(value, Missing | None):
        raise TypeError("len of nothing")
    return len(value)


RUNTIME: dict[str, Any] = {
    "_go_field": go_field,
    "_go_print": go_print_value,
    "_go_items": go_items,
    "_go_eq": _eq,
    "_go_ne": _ne,
    "_go_lt": lambda a, b: _cmp("lt", a, b),
    "_go_le": lambda a, b: _cmp("le", a, b),
    "_go_gt": lambda a, b: _cmp("gt", a, b),
    "_go_ge": lambda a, b: _cmp("ge", a, b),
    "_go_and": _and,
    "_go_or": _or,
    "_go_not": lambda a: not a,
    "_go_len": _len,
    "_go_index": _index,
    "_go_printf": go_sprintf,
    "_go_print_fn": _print,
    "_go_println": _println,
    "_go_html": _html,
    "_go_urlquery": _urlquery,
    "_go_js": _js,
}
ROOT = "_go_root"
