"""Map IPC actions to a port's methods: params decoded and checked against each method's signature."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from domain.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    call: Callable[..., Awaitable[Any]]
    params: type[msgspec.Struct]


def _params_struct(name: str, fn: Callable[..., Any]) -> type[msgspec.Struct]:
    hints = typing.get_type_hints(fn)
    fields: list[Any] = []
    for pname, p in inspect.signature(fn).parameters.items():
        if pname == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        tp = hints.get(pname, Any)
        if p.default is inspect.Parameter.empty:
            fields.append((pname, tp))
        else:
            fields.append((pname, tp, p.default))
    return msgspec.defstruct(f"{name}_params", fields, forbid_unknown_fields=False)


def actions_of(port: object, names: list[str] | tuple[str, ...]) -> dict[str, Action]:
    """One Action per public async method named in `names` (the port's wire actions)."""
    found: dict[str, Action] = {}
    for name in names:
        fn = getattr(port, name, None)
        if fn is None or not inspect.iscoroutinefunction(fn):
            raise TypeError(f"{type(port).__name__} has no async method {name!r}")
        found[name] = Action(name, fn, _params_struct(name, fn))
    return found


async def invoke(action: Action, params: dict[str, Any]) -> Any:
    try:
        args = msgspec.convert(params, action.params, strict=False)
    except msgspec.ValidationError as exc:
        raise BadRequest(f"invalid params for '{action.name}': {exc}") from None
    return await action.call(**{f: getattr(args, f) for f in action.params.__struct_fields__})
