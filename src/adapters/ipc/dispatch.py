"""Map IPC actions to a port's methods: params decoded and checked against each method's signature.

A param the method does not take is refused with a clear error (never dropped silently), unless the method
declares `**extra`: then the unknown params are handed to it as keyword arguments, for it to keep.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from domain.errors import BadRequest


@dataclass(frozen=True, slots=True)
class Action:
    name: str
    call: Callable[..., Awaitable[Any]]
    params: type[msgspec.Struct]
    takes_extra: bool = False  # the method has **kwargs: unknown params are passed on, not refused
    known: frozenset[str] = field(default=frozenset())


def _params_struct(name: str, fn: Callable[..., Any]) -> tuple[type[msgspec.Struct], bool]:
    hints = typing.get_type_hints(fn)
    fields: list[Any] = []
    extra = False
    for pname, p in inspect.signature(fn).parameters.items():
        if p.kind == p.VAR_KEYWORD:
            extra = True
            continue
        if pname == "self" or p.kind == p.VAR_POSITIONAL:
            continue
        tp = hints.get(pname, Any)
        if p.default is inspect.Parameter.empty:
            fields.append((pname, tp))
        else:
            fields.append((pname, tp, p.default))
    return msgspec.defstruct(f"{name}_params", fields, forbid_unknown_fields=False), extra


def actions_of(port: object, names: list[str] | tuple[str, ...]) -> dict[str, Action]:
    """One Action per public async method named in `names` (the port's wire actions)."""
    found: dict[str, Action] = {}
    for name in names:
        fn = getattr(port, name, None)
        if fn is None or not inspect.iscoroutinefunction(fn):
            raise TypeError(f"{type(port).__name__} has no async method {name!r}")
        struct, extra = _params_struct(name, fn)
        found[name] = Action(name, fn, struct, extra, frozenset(struct.__struct_fields__))
    return found


async def invoke(action: Action, params: dict[str, Any]) -> Any:
    unknown = [k for k in params if k not in action.known]
    if unknown and not action.takes_extra:
        accepted = ", ".join(action.params.__struct_fields__) or "none"
        raise BadRequest(f"unknown param(s) for '{action.name}': {', '.join(sorted(unknown))} (accepted: {accepted})")
    try:
        args = msgspec.convert(params, action.params, strict=False)
    except msgspec.ValidationError as exc:
        raise BadRequest(f"invalid params for '{action.name}': {exc}") from None
    kwargs = {f: getattr(args, f) for f in action.params.__struct_fields__}
    for k in unknown:
        kwargs[k] = params[k]
    return await action.call(**kwargs)
