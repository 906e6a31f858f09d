"""Encrypted fields through the gateway: every write path stores ciphertext only (read back from the raw database,
SQLite file and MariaDB table), every read path shows the plain value, filters that ciphertext cannot answer are
refused, and a value that does not decrypt fails its request cleanly."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.crypt import Sealed
from tests.integration.crypt.vault_support import build_vault, raw_rows, raw_write, storage_bytes
from tests.support.api import AppClient
from tests.support.platform import Platform

SECRET = "the launch code is 0000-orchid"
EMAIL = "zoe.vault@example.test"
PHONE = "+32 470 11 22 33"


@pytest.fixture
def vault(tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Platform]:
    p = build_vault(tmp_path, backend)
    p.apply_env(monkeypatch)
    try:
        yield p
    finally:
        p.cleanup()


@pytest.fixture
def api(vault: Platform) -> Iterator[AppClient]:
    from litestar.testing import TestClient

    from entrypoints.gateway.app import create_app
    from entrypoints.wiring.gateway_settings import GatewaySettings

    app = create_app(vault.paths, GatewaySettings())
    with TestClient(app, base_url="http://testserver.local", raise_server_exceptions=True) as client:
        yield AppClient(client, "vault.localhost")


def register(api: AppClient, email: str = EMAIL) -> str:
    r = api.post("auth/register", {"email": email, "name": "Zoe", "password": "correct horse 1"})
    assert r.status_code in (200, 201), r.text
    token = r.json()["data"]["token"]
    assert api.patch("auth/me", {"phone": PHONE}, token).status_code in (200, 404, 405)  # not every app has it
    return str(token)


def sealed(value: object) -> Sealed:
    parsed = Sealed.parse(value)
    assert parsed is not None and not parsed.pending, f"not a bound ciphertext: {value!r}"
    return parsed


def test_every_write_path_stores_ciphertext_and_every_read_path_opens_it(vault: Platform, api: AppClient) -> None:
    token = register(api)
    folder = api.post("folders", {"name": "Work", "motto": "carpe diem quietly"}, token)
    assert folder.status_code == 201, folder.text
    fid = folder.json()["data"]["id"]
    # generic CRUD create, then update
    note = api.post(
        "notes", {"title": "plan", "secret": SECRET, "amount": 12.5, "code": "ALPHA-1", "folder_id": fid}, token
    )
    assert note.status_code == 201, note.text
    body = note.json()["data"]
    assert (body["secret"], body["amount"], body["code"]) == (SECRET, 12.5, "ALPHA-1")
    nid = body["id"]
    upd = api.patch(f"notes/{nid}", {"secret": SECRET + " (v2)"}, token)
    assert upd.status_code == 200 and upd.json()["data"]["secret"] == SECRET + " (v2)", upd.text
    # query-file create and update (the same table through queries/memos.yaml)
    memo = api.post("memos", {"title": "memo", "secret": "memo " + SECRET, "code": "BETA-2"}, token)
    assert memo.status_code == 201, memo.text
    mid = memo.json()["data"]["id"]
    assert memo.json()["data"]["secret"] == "memo " + SECRET
    upd = api.patch(f"memos/{mid}", {"code": "BETA-3"}, token)
    assert upd.status_code == 200 and upd.json()["data"]["code"] == "BETA-3", upd.text

    # the raw database: ciphertext bound to its row, blind index beside it, no plain value anywhere
    for row in raw_rows(vault, "SELECT * FROM notes"):
        sealed(row["secret"])
        assert (row["code"] is None) == (row["code_bidx"] is None)
        if row["code"] is not None:
            sealed(row["code"])
            assert len(row["code_bidx"]) == 64
        if row["amount"] is not None:
            sealed(row["amount"])
    users = raw_rows(vault, "SELECT * FROM users")
    assert users and all(Sealed.parse(u["email"]) for u in users) and len(users[0]["email_bidx"]) == 64
    sealed(raw_rows(vault, "SELECT motto FROM folders")[0]["motto"])
    dump = storage_bytes(vault)
    for plain in (SECRET, "ALPHA-1", "BETA-3", "carpe diem", EMAIL, "zoe.vault"):
        assert plain.encode() not in dump, f"{plain!r} is in the database in plain text"

    # every read path shows the plain values
    shown = api.get(f"notes/{nid}", token).json()["data"]
    assert (shown["secret"], shown["amount"], shown["code"]) == (SECRET + " (v2)", 12.5, "ALPHA-1")
    listed = api.get("notes", token).json()["data"]
    assert {n["secret"] for n in listed} == {SECRET + " (v2)", "memo " + SECRET}
    only = api.get("notes?fields=secret", token).json()["data"]
    assert only and set(only[0]) == {"secret"}, only  # the row key was read to decrypt, not shown
    included = api.get(f"notes/{nid}?include=folder", token).json()["data"]
    assert included["folder"]["motto"] == "carpe diem quietly", included
    folders = api.get("folders?include=notes", token).json()["data"]
    assert folders[0]["notes"][0]["secret"].startswith(SECRET), folders
    memos = api.get("memos", token).json()["data"]
    assert {m["code"] for m in memos} == {"ALPHA-1", "BETA-3"}
    assert api.get(f"memos/{mid}", token).json()["data"]["secret"] == "memo " + SECRET
    # login by the encrypted email (its blind index), with the enriched data opened
    login = api.login(EMAIL, "correct horse 1")
    assert login["user"]["email"] == EMAIL
    assert {n["secret"] for n in login["notes"]} == {SECRET + " (v2)", "memo " + SECRET}
    me = api.get("auth/me", token).json()["data"]["user"]
    assert me["email"] == EMAIL


def test_equality_on_a_blind_index_works_and_other_filters_are_refused(vault: Platform, api: AppClient) -> None:
    token = register(api)
    for code in ("RED", "GREEN", "RED"):
        assert api.post("notes", {"title": code.lower(), "code": code, "secret": "s"}, token).status_code == 201
    reds = api.get("notes?code=RED", token)
    assert reds.status_code == 200 and [n["title"] for n in reds.json()["data"]] == ["red", "red"], reds.text
    assert api.get("notes?code[eq]=GREEN", token).json()["data"][0]["title"] == "green"
    assert api.get("notes?code=BLUE", token).json()["data"] == []
    for query in (
        "notes?secret=s",
        "notes?code[like]=R%25",
        "notes?code[ne]=RED",
        "notes?code[in]=RED,GREEN",
        "notes?sort=secret",
        "notes?sort=-code",
        "notes?amount[gt]=1",
        "notes?code_bidx=00",
        "memos?secret=s",
        "memos?sort=code",
    ):
        r = api.get(query, token)
        assert r.status_code == 400, (query, r.status_code, r.text)
        assert "encrypted" in r.json()["error"]["message"] or "Unknown field" in r.json()["error"]["message"], r.text
    assert api.get("notes?secret[null]=false", token).status_code == 200
    # uniqueness is kept on the index: a second account with the same email is refused
    again = api.post("auth/register", {"email": EMAIL, "name": "Zed", "password": "correct horse 2"})
    assert again.status_code == 409, again.text
    wrong = api.post("auth/login", {"email": EMAIL, "password": "wrong password"})
    assert wrong.status_code == 401


def _error(r: object) -> dict[str, object]:
    body = r.json()  # type: ignore[attr-defined]
    return body["error"]


def test_tampered_swapped_and_wrong_key_values_fail_cleanly(vault: Platform, api: AppClient) -> None:
    token = register(api)
    ids = [api.post("notes", {"title": f"n{i}", "secret": f"secret {i}"}, token).json()["data"]["id"] for i in (1, 2)]
    a, b = (raw_rows(vault, "SELECT id, secret FROM notes WHERE id = :i", {"i": i})[0]["secret"] for i in ids)
    # swapped: row 2's ciphertext copied into row 1 (the associated data binds it to row 2)
    raw_write(vault, "UPDATE notes SET secret = :s WHERE id = :i", {"s": b, "i": ids[0]})
    r = api.get(f"notes/{ids[0]}", token)
    assert r.status_code == 409 and _error(r)["code"] == "UNREADABLE_DATA", r.text
    assert "notes.secret" in str(_error(r)["message"]) and "secret 2" not in r.text
    listed = api.get("notes", token)
    assert listed.status_code == 409 and _error(listed)["code"] == "UNREADABLE_DATA"
    # tampered: one byte of the ciphertext changed
    parsed = Sealed.parse(a)
    assert parsed is not None
    flipped = parsed.payload[:-6] + ("A" if parsed.payload[-6] != "A" else "B") + parsed.payload[-5:]
    raw_write(vault, "UPDATE notes SET secret = :s WHERE id = :i", {"s": f"v1:{parsed.key_id}:{flipped}", "i": ids[0]})
    r = api.get(f"notes/{ids[0]}", token)
    assert r.status_code == 409 and _error(r)["code"] == "UNREADABLE_DATA", r.text
    # plain text slipped into the column (not written by the platform)
    raw_write(vault, "UPDATE notes SET secret = :s WHERE id = :i", {"s": "planted plain text", "i": ids[0]})
    r = api.get(f"notes/{ids[0]}", token)
    assert r.status_code == 409 and "planted" not in r.text
    # the other row still reads; then the whole keyring replaced by another key: nothing decrypts, nothing crashes
    assert api.get(f"notes/{ids[1]}", token).json()["data"]["secret"] == "secret 2"
    from adapters.crypt.keyring import new_keyring_text, write_atomically

    write_atomically(vault.paths.secrets / "vault_crypt_key", new_keyring_text("vault").decode())
    time.sleep(1.1)  # the keyring is looked at again at most once a second
    r = api.get(f"notes/{ids[1]}", token)
    assert r.status_code == 409 and _error(r)["code"] == "UNREADABLE_DATA", r.text
    # logged once per failed request, with where the value is and never what it is
    logs = b"".join(f.read_bytes() for f in vault.paths.logs.rglob("vault-*.log"))
    entries = [json.loads(line) for line in logs.splitlines() if b"cannot be decrypted" in line]
    notes = [e for e in entries if e["data"]["values"][0]["table"] == "notes"]
    assert len(notes) == 5, "\n".join(str((e.get("message", "")[:60], e.get("data"))) for e in entries)
    # the account behind the token is re-read too, and its email no longer decrypts either: logged, not shown
    assert len(entries) - len(notes) <= 1
    assert b"secret 2" not in logs and b"secret 1" not in logs


def test_audit_and_logs_never_hold_an_encrypted_value(vault: Platform, api: AppClient) -> None:
    token = register(api)
    nid = api.post("notes", {"title": "t", "secret": SECRET, "code": "ALPHA-9"}, token).json()["data"]["id"]
    api.patch(f"notes/{nid}", {"secret": SECRET + "!"}, token)
    api.delete(f"notes/{nid}", token)
    api.post("auth/login", {"email": EMAIL, "password": "bad password"})
    api.login(EMAIL, "correct horse 1")
    logs = b"".join(f.read_bytes() for f in vault.paths.logs.rglob("*.log"))
    assert b"[encrypted]" in logs
    for plain in (SECRET, "ALPHA-9", EMAIL):
        assert plain.encode() not in logs, plain
