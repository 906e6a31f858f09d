"""Random, malformed, truncated, oversized and interleaved frames thrown at live services: each gets the answer
the protocol promises (an error with its id, or a closed connection) and the service keeps serving the others."""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from application.ports.logs import LOG_ACTIONS
from tests.integration.ipc.conftest import SMALL_FRAME
from tests.integration.ipc.wire import Wire, compact, framed

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_MISSING = object()


def field(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(_MISSING), values)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """Request-shaped objects with each field present or missing, of the right type or not."""
    msg = {
        "id": draw(field(st.text(min_size=1, max_size=30) | json_values)),
        "action": draw(field(st.sampled_from(["echo", "health", "nope", "ECHO", ""]) | json_values)),
        "params": draw(field(st.fixed_dictionaries({"value": json_values}) | json_values)),
        "request_id": draw(field(st.text(max_size=10) | json_values)),
    }
    return {k: v for k, v in msg.items() if v is not _MISSING}


ECHO_PARAMS: dict[str, set[str] | None] = {"echo": {"value", "delay"}, "missing": {"key"}, "health": set()}


def expected(msg: dict[str, Any], actions: dict[str, set[str] | None] = ECHO_PARAMS) -> tuple[str, str]:
    """(id, code) the protocol promises for `msg` on a server of `actions` (name -> the params it takes, None for
    not checked here); code "" is a success."""
    rid = msg.get("id")
    echoed = rid if isinstance(rid, str) else ""
    action, params = msg.get("action"), msg.get("params", {})
    if not isinstance(rid, str) or not isinstance(action, str) or not isinstance(params, dict):
        return echoed, "BAD_REQUEST"
    if not isinstance(msg.get("request_id", ""), str):
        return echoed, "BAD_REQUEST"
    if action not in actions:
        return echoed, "UNKNOWN_ACTION"
    accepted = actions[action]
    if accepted is not None and set(params) - accepted:
        return echoed, "BAD_REQUEST"  # unknown params are refused by name, never dropped
    return echoed, ""


def still_serving(path: Any) -> None:
    with Wire(path) as other:
        token = random.random()
        assert other.call({"id": "alive", "action": "echo", "params": {"value": token}}) == {
            "id": "alive",
            "status": "success",
            "result": token,
        }


@FUZZ
@given(msg=requests())
def test_request_shaped_garbage_gets_its_promised_answer(echo_server, msg):
    want_id, want_code = expected(msg)
    with Wire(echo_server.path) as wire:
        answer = wire.call(msg)
    assert answer is not None and answer["id"] == want_id
    if want_code:
        assert answer["status"] == "error" and answer["error"]["code"] == want_code, answer
        assert answer["error"]["message"]
    else:
        assert answer["status"] == "success", answer
        if msg["action"] == "echo":
            assert answer.get("result") == msg.get("params", {}).get("value")


@FUZZ
@given(payload=st.binary(max_size=400))
def test_random_bytes_get_a_bad_request(echo_server, payload):
    with Wire(echo_server.path) as wire:
        wire.send_raw(framed(payload))
        answer = wire.recv()
    assert answer is not None and answer["status"] == "error"
    assert answer["error"]["code"] in ("BAD_REQUEST", "UNKNOWN_ACTION")
    still_serving(echo_server.path)


@FUZZ
@given(value=json_values, cut=st.floats(0, 1, exclude_max=True))
def test_a_truncated_frame_waits_and_others_are_served(echo_server, value, cut):
    frame = framed(compact({"id": "t", "action": "echo", "params": {"value": value}}))
    with Wire(echo_server.path) as wire:
        wire.send_raw(frame[: int(len(frame) * cut)])
        still_serving(echo_server.path)  # while the truncated frame is pending
        wire.send_raw(frame[int(len(frame) * cut) :])  # the rest arrives: the frame is answered
        answer = wire.recv()
        assert answer is not None and answer["id"] == "t" and answer["status"] == "success"
        assert answer.get("result") == value


@FUZZ
@given(size=st.integers(SMALL_FRAME + 1, 2**32 - 1))
def test_an_oversized_frame_closes_only_that_connection(echo_server, size):
    with Wire(echo_server.path) as bystander, Wire(echo_server.path) as wire:
        wire.send_raw(size.to_bytes(4, "big") + b'{"id":"big"')
        answer = wire.recv()
        assert answer is not None and answer["error"]["code"] == "FRAME_TOO_LARGE"
        assert wire.closed_by_peer()
        assert bystander.call({"id": "b", "action": "health"}) == {
            "id": "b",
            "status": "success",
            "result": {"ok": True},
        }


@FUZZ
@given(
    values=st.lists(json_values, min_size=1, max_size=25),
    delays=st.lists(st.sampled_from([0, 0, 0.001, 0.005, 0.02]), min_size=25, max_size=25),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_many_in_flight_on_one_connection_are_answered_by_id(echo_server, values, delays, cuts):
    msgs: list[dict[str, Any]] = [
        {"id": f"m{i}", "action": "echo", "params": {"value": v, "delay": delays[i]}} for i, v in enumerate(values)
    ]
    stream = b"".join(framed(compact(m)) for m in msgs)
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})
    with Wire(echo_server.path) as wire:
        for a, b in itertools.pairwise(points):  # arbitrary chunking: frames split and glued
            wire.send_raw(stream[a:b])
        answers = [wire.recv() for _ in msgs]
    by_id = {a["id"]: a for a in answers if a is not None}
    assert set(by_id) == {m["id"] for m in msgs}
    for m in msgs:
        assert by_id[m["id"]]["status"] == "success"
        assert by_id[m["id"]].get("result") == m["params"]["value"]


def test_out_of_order_answers_are_answered_by_id(echo_server):
    with Wire(echo_server.path) as wire:
        wire.send({"id": "slow", "action": "echo", "params": {"value": "slow", "delay": 0.3}})
        wire.send({"id": "fast", "action": "echo", "params": {"value": "fast"}})
        assert [wire.recv()["id"], wire.recv()["id"]] == ["fast", "slow"]  # type: ignore[index]


def test_a_domain_error_keeps_its_code_and_id(echo_server):
    with Wire(echo_server.path) as wire:
        answer = wire.call({"id": "x", "action": "missing", "params": {"key": "k"}})
        assert answer == {"id": "x", "status": "error", "error": {"code": "NOT_FOUND", "message": "no 'k' here"}}
        answer = wire.call({"id": "y", "action": "missing", "params": {}})
        assert answer is not None and answer["id"] == "y" and answer["error"]["code"] == "BAD_REQUEST"
        assert "key" in answer["error"]["message"]


# ---- the same against the real sogoms-logs process --------------------------------------------------------


def expected_logs(msg: dict[str, Any]) -> tuple[str, str]:
    return expected(msg, {"health": set(), **{a: None for a in LOG_ACTIONS if a != "health"}})


@FUZZ
@given(msg=requests(), payload=st.binary(max_size=200))
@example(msg={"id": "0", "action": "echo", "params": {"": None}}, payload=b"")  # unknown action before unknown params
@example(msg={"id": "0", "action": "health", "params": {"value": None}}, payload=b"")
def test_sogoms_logs_answers_garbage_and_keeps_serving(logs_socket, msg, payload):
    want_id, want_code = expected_logs(msg)
    with Wire(logs_socket) as wire:
        answer = wire.call(msg)
        assert answer is not None and answer["id"] == want_id, (msg, answer)
        if want_code:
            assert answer["error"]["code"] == want_code, answer
        else:
            assert answer["status"] == "success", answer
        wire.send_raw(framed(payload))
        answer = wire.recv()
        assert answer is not None and answer["status"] == "error"
        assert wire.call({"id": "h", "action": "health"})["result"]["ok"] is True  # type: ignore[index]


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["app_id", "event", "type", "data", "message", "level"]), json_values))
def test_sogoms_logs_refuses_bad_params_with_a_clear_error(logs_socket, params):
    with Wire(logs_socket) as wire:
        for action in ("log_event", "log_error"):
            answer = wire.call({"id": action, "action": action, "params": params})
            assert answer is not None and answer["id"] == action
            if answer["status"] == "error":
                # a well-formed id of an app that is not configured: UNKNOWN_APP (no file for it)
                assert answer["error"]["code"] in ("BAD_REQUEST", "UNKNOWN_APP") and answer["error"]["message"], answer
            else:  # only a well-formed entry is accepted
                assert isinstance(params.get("app_id"), str)


def test_sogoms_logs_closes_an_oversized_frame_and_keeps_serving(logs_socket):
    with Wire(logs_socket) as bystander, Wire(logs_socket) as wire:
        wire.send_raw((16 * 1024 * 1024 + 1).to_bytes(4, "big"))
        answer = wire.recv()
        assert answer is not None and answer["error"]["code"] == "FRAME_TOO_LARGE"
        assert wire.closed_by_peer()
        answer = bystander.call({"id": "b", "action": "log_event", "params": {"app_id": "prokov", "event": "after"}})
        assert answer == {"id": "b", "status": "success"}
    assert json.dumps(answer)
