"""Online key rotation (`sogoms crypt rotate`) while the API writes, its resumption after kill -9, `crypt status`, and
`schema migrate --apply` encrypting plain values in place."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from domain.crypt import Sealed
from tests.integration.crypt.test_fields_end_to_end import api, register, vault  # noqa: F401 - fixtures
from tests.integration.crypt.vault_support import SOGOMS, raw_rows, raw_write, sogoms
from tests.support.api import AppClient
from tests.support.platform import Platform


def key_ids(p: Platform) -> set[str]:
    out = set()
    for row in raw_rows(p, "SELECT secret, code FROM notes"):
        for v in row.values():
            s = Sealed.parse(v)
            if v is not None:
                assert s is not None and not s.pending, v
                out.add(s.key_id)
    return out


def test_migrate_encrypts_plain_values_in_place(vault: Platform, api: AppClient) -> None:  # noqa: F811
    token = register(api)
    nid = api.post("notes", {"title": "t", "secret": "x"}, token).json()["data"]["id"]
    raw_write(vault, "UPDATE notes SET secret = :s WHERE id = :i", {"s": "written before encryption", "i": nid})
    dry = sogoms(vault, "schema", "migrate", "vault")
    assert "encrypt in place 1 value" in dry.stdout, dry.stdout + dry.stderr
    done = sogoms(vault, "schema", "migrate", "vault", "--apply")
    assert done.returncode == 0 and "encrypted in place: 1" in done.stdout, done.stdout + done.stderr
    assert Sealed.parse(raw_rows(vault, "SELECT secret FROM notes")[0]["secret"]) is not None
    assert api.get(f"notes/{nid}", token).json()["data"]["secret"] == "written before encryption"
    assert "up to date" in sogoms(vault, "schema", "migrate", "vault").stdout


def test_rotation_under_concurrent_writes_loses_nothing(vault: Platform, api: AppClient) -> None:  # noqa: F811
    token = register(api)
    expected: dict[int, tuple[str, str]] = {}
    for i in range(120):
        row = api.post("notes", {"title": f"n{i}", "secret": f"secret {i}", "code": f"C{i}"}, token).json()["data"]
        expected[row["id"]] = (row["secret"], row["code"])
    assert key_ids(vault) == {"k1"}
    rotation = subprocess.Popen(
        [SOGOMS, "crypt", "rotate", "vault", "--batch", "7", "--pause", "0.05"],
        env=vault.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    written = 0
    ids = list(expected)
    while rotation.poll() is None:  # the API keeps serving: creates, updates and reads all along
        if written < 150:  # new rows (at most: the list below reads 500), then updates and reads only
            row = api.post("notes", {"title": "during", "secret": f"during {written}", "code": f"D{written}"}, token)
            assert row.status_code == 201, row.text
            expected[row.json()["data"]["id"]] = (f"during {written}", f"D{written}")
        target = ids[written % len(ids)]
        upd = api.patch(f"notes/{target}", {"secret": f"updated {written}"}, token)
        assert upd.status_code == 200, upd.text
        expected[target] = (f"updated {written}", expected[target][1])
        shown = api.get(f"notes/{ids[(written * 7) % len(ids)]}", token)
        assert shown.status_code == 200, shown.text
        written += 1
    out, err = rotation.communicate()
    assert rotation.returncode == 0, out + err
    assert written > 3 and "new active key k2" in out and "retired key(s) k1" in out, out
    assert key_ids(vault) == {"k2"}
    keyring = (vault.paths.secrets / "vault_crypt_key").read_text()
    assert "active: k2" in keyring and "\nk1:" not in keyring
    rows = {r["id"]: (r["secret"], r["code"]) for r in api.get("notes?limit=500", token).json()["data"]}
    assert rows == expected
    assert [n["code"] for n in api.get("notes?code=C5", token).json()["data"]] == ["C5"]
    status = sogoms(vault, "crypt", "status", "vault")
    assert status.returncode == 0 and "notes.secret: k2: " in status.stdout and "k1" not in status.stdout, status.stdout


def test_rotation_killed_midway_resumes_without_loss(vault: Platform, api: AppClient) -> None:  # noqa: F811
    token = register(api)
    expected = {}
    for i in range(150):
        row = api.post("notes", {"title": f"n{i}", "secret": f"secret {i}"}, token).json()["data"]
        expected[row["id"]] = row["secret"]
    rotation = subprocess.Popen(
        [SOGOMS, "crypt", "rotate", "vault", "--batch", "10", "--pause", "0.3"],
        env=vault.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and key_ids(vault) != {"k1", "k2"}:
        time.sleep(0.05)
    os.killpg(rotation.pid, signal.SIGKILL)
    rotation.wait()
    assert key_ids(vault) == {"k1", "k2"}, "killed before or after the re-encryption: nothing to resume"
    # the API reads both keys meanwhile
    rows = {r["id"]: r["secret"] for r in api.get("notes?limit=500", token).json()["data"]}
    assert rows == expected
    again = sogoms(vault, "crypt", "rotate", "vault")
    assert again.returncode == 0 and "resumed the rotation to key k2" in again.stdout, again.stdout + again.stderr
    assert key_ids(vault) == {"k2"}
    rows = {r["id"]: r["secret"] for r in api.get("notes?limit=500", token).json()["data"]}
    assert rows == expected


def test_schema_diff_and_generate_know_the_stored_form(vault: Platform) -> None:  # noqa: F811
    diff = sogoms(vault, "schema", "diff", "vault")
    assert diff.returncode == 0 and "email_bidx" not in diff.stdout and "alter" not in diff.stdout, diff.stdout
    generated = sogoms(vault, "schema", "generate", "vault", "--stdout")
    assert generated.returncode == 0, generated.stderr
    assert "email_bidx" not in generated.stdout and "code_bidx" not in generated.stdout, generated.stdout
    assert "blind_index: true" in generated.stdout and "encrypted: true" in generated.stdout
