"""`:name` statements in the seed's wire form (`?` and an args list), and the IPC dispatch's param check."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest

from adapters.ipc.dispatch import actions_of, invoke
from adapters.ipc.protocol import wire
from domain.errors import BadRequest
from domain.query.sql_text import to_positional


def test_names_become_question_marks_in_order_and_repeat() -> None:
    sql = "SELECT * FROM t WHERE a = :a AND b = ':b' AND c = :c OR a = :a -- :d"
    assert to_positional(sql, {"a": 1, "c": 3, "x": 9}) == (
        "SELECT * FROM t WHERE a = ? AND b = ':b' AND c = ? OR a = ? -- :d",
        [1, 3, 1],
    )


def test_a_name_without_a_value_is_named() -> None:
    with pytest.raises(KeyError, match="c"):
        to_positional("SELECT :a, :c", {"a": 1})


class _Port:
    async def strict(self, app_id: str, limit: int = 10) -> dict[str, Any]:
        return {"app_id": app_id, "limit": limit}

    async def loose(self, app_id: str, **extra: Any) -> dict[str, Any]:
        return {"app_id": app_id, **extra}


def test_unknown_params_are_refused_by_name_unless_the_action_takes_extra_ones() -> None:
    actions = actions_of(_Port(), ("strict", "loose"))
    with pytest.raises(BadRequest, match=r"unknown param\(s\) for 'strict': offset \(accepted: app_id, limit\)"):
        asyncio.run(invoke(actions["strict"], {"app_id": "a", "offset": 1}))
    assert asyncio.run(invoke(actions["strict"], {"app_id": "a", "limit": 2})) == {"app_id": "a", "limit": 2}
    assert asyncio.run(invoke(actions["loose"], {"app_id": "a", "ip": "x"})) == {"app_id": "a", "ip": "x"}


@dataclass(frozen=True)
class _Derived:
    name: str
    tags: tuple[str, ...] = ()
    _cache: dict[str, Any] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._cache["fn"] = len  # derived state that JSON cannot hold


def test_a_dataclass_result_goes_on_the_wire_as_its_constructor_fields() -> None:
    assert wire({"x": _Derived("a", ("t",))}) == {"x": _Derived("a", ("t",))}  # only dataclasses are walked
    assert wire(_Derived("a", ("t",))) == {"name": "a", "tags": ["t"]}
