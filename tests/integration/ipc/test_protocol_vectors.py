"""The seed's request and responses (sogoms-DOCTECH.txt) as exact frames: they decode, re-encode byte for byte,
and a live sogoms-db answers the seed's own positional request."""

from __future__ import annotations

import pytest

from adapters.ipc import protocol as p
from domain.errors import error_from_code
from tests.integration.ipc.wire import Wire
from tests.support.processes import start, stop, wait_for_socket

# 4-byte big-endian length (0x86 = 134, 0x6e = 110), then the compact UTF-8 JSON.
SEED_REQUEST = (
    b"\x00\x00\x00\x86"
    b'{"id":"req_20251216123456.000000","action":"query",'
    b'"params":{"app_id":"prokov","query":"SELECT * FROM users WHERE id = ?","args":[1]}}'
)
SEED_SUCCESS = (
    b"\x00\x00\x00\x6e"
    b'{"id":"req_20251216123456.000000","status":"success",'
    b'"result":{"id":1,"email":"ana@prokov.test","name":"Ana"}}'
)
SEED_ERROR = (
    b"\x00\x00\x00\x6e"
    b'{"id":"req_20251216123456.000000","status":"error",'
    b'"error":{"code":"DB_ERROR","message":"connection refused"}}'
)
VECTORS = {"request": SEED_REQUEST, "success": SEED_SUCCESS, "error": SEED_ERROR}


@pytest.mark.parametrize("name", list(VECTORS))
def test_header_is_the_big_endian_length_of_the_json(name):
    frame = VECTORS[name]
    assert int.from_bytes(frame[:4], "big") == len(frame) - 4


def test_seed_request_round_trips_byte_for_byte():
    (payload,) = p.FrameBuffer().feed(SEED_REQUEST)
    req = p.request_decoder.decode(payload)
    assert (req.id, req.action, req.request_id) == ("req_20251216123456.000000", "query", "")
    assert req.params == {"app_id": "prokov", "query": "SELECT * FROM users WHERE id = ?", "args": [1]}
    assert p.encode_frame(req) == SEED_REQUEST


def test_seed_responses_round_trip_byte_for_byte():
    for frame in (SEED_SUCCESS, SEED_ERROR):
        (payload,) = p.FrameBuffer().feed(frame)
        assert p.encode_frame(p.response_decoder.decode(payload)) == frame


def test_our_builders_produce_the_seed_bytes():
    row = {"id": 1, "email": "ana@prokov.test", "name": "Ana"}
    assert p.encode_frame(p.success("req_20251216123456.000000", row)) == SEED_SUCCESS
    assert p.encode_frame(p.failure("req_20251216123456.000000", "DB_ERROR", "connection refused")) == SEED_ERROR


def test_request_id_is_an_optional_trailing_field():
    req = p.request_decoder.decode(p.FrameBuffer().feed(SEED_REQUEST)[0])
    req.request_id = "abc123"
    frame = p.encode_frame(req)
    assert frame[4:] == SEED_REQUEST[4:-1] + b',"request_id":"abc123"}'
    assert int.from_bytes(frame[:4], "big") == 134 + len(b',"request_id":"abc123"')


def test_frames_split_anywhere_are_reassembled():
    stream = SEED_REQUEST + SEED_SUCCESS + SEED_ERROR
    buf = p.FrameBuffer()
    out: list[bytes] = []
    for i in range(len(stream)):
        out += buf.feed(stream[i : i + 1])
    assert out == [SEED_REQUEST[4:], SEED_SUCCESS[4:], SEED_ERROR[4:]]


def test_the_seed_error_becomes_a_domain_error_keeping_its_code():
    resp = p.response_decoder.decode(SEED_ERROR[4:])
    assert resp.error is not None
    err = error_from_code(resp.error.code, resp.error.message)
    assert (err.code, err.message) == ("DB_ERROR", "connection refused")


@pytest.fixture
def db_service(platform):
    proc = start("sogoms-db", env=platform.env, log=platform.paths.logs / "sogoms-db.out")
    try:
        wait_for_socket(platform.paths.socket("db"), proc=proc)
        yield platform.paths.socket("db")
    finally:
        stop(proc)


def test_live_sogoms_db_answers_the_seed_request(db_service):
    with Wire(db_service) as wire:
        wire.send_raw(SEED_REQUEST)
        answer = wire.recv()
        assert answer is not None
        assert answer["id"] == "req_20251216123456.000000"
        assert answer["status"] == "success", answer
        assert [(r["id"], r["email"], r["name"]) for r in answer["result"]] == [(1, "ana@prokov.test", "Ana")]
        # the positional form counts its placeholders; a '?' inside a string literal is not one
        answer = wire.call(
            {
                "id": "q2",
                "action": "query_one",
                "params": {"app_id": "prokov", "query": "SELECT '?' AS q, ? AS a", "args": [7]},
            }
        )
        assert answer == {"id": "q2", "status": "success", "result": {"q": "?", "a": 7}}
        answer = wire.call(
            {"id": "q3", "action": "query", "params": {"app_id": "prokov", "query": "SELECT ?", "args": [1, 2]}}
        )
        assert answer is not None and answer["id"] == "q3" and answer["error"]["code"] == "BAD_REQUEST"
        assert "1 '?' placeholder(s) but 2 argument(s)" in answer["error"]["message"]
