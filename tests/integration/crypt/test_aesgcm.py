"""AES-256-GCM on real keys: each value bound to its app, table, column and row; any change fails cleanly."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from adapters.crypt.aesgcm import AesGcmCipher
from adapters.crypt.keyring import Keyring, new_key_bytes, read_keyring, write_atomically
from application.ports.crypt import CipherItem
from domain.errors import ConfigError, NotFound

from .conftest import settings

DESC = CipherItem("tasks", "description", "12", "Ask three suppliers for a quote")


async def seal(cipher: AesGcmCipher, item: CipherItem = DESC, app: str = "shop") -> str:
    return (await cipher.encrypt(app, [item]))[0]


async def open_one(cipher: AesGcmCipher, stored: str, item: CipherItem = DESC, app: str = "shop"):
    opened = await cipher.decrypt(app, [CipherItem(item.table, item.column, item.row, stored)])
    return opened.values[0], opened.errors.get("0")


async def test_a_value_round_trips_and_is_stored_with_its_key_id_and_a_fresh_nonce(cipher: AesGcmCipher) -> None:
    first, second = await cipher.encrypt("shop", [DESC, DESC])
    assert first.startswith("v1:k1:") and second.startswith("v1:k1:")
    assert first != second  # a random nonce each time: equal values do not show
    assert DESC.value not in first
    assert await open_one(cipher, first) == (DESC.value, None)


@pytest.mark.parametrize(
    "elsewhere",
    [
        CipherItem("tasks", "description", "13", ""),  # another row
        CipherItem("tasks", "title", "12", ""),  # another column
        CipherItem("projects", "description", "12", ""),  # another table
    ],
)
async def test_a_value_copied_anywhere_else_does_not_decrypt(cipher: AesGcmCipher, elsewhere: CipherItem) -> None:
    stored = await seal(cipher)
    value, error = await open_one(cipher, stored, elsewhere)
    assert value is None
    assert "does not decrypt under key k1" in error


async def test_a_value_of_another_app_does_not_decrypt(cipher: AesGcmCipher) -> None:
    stored = await seal(cipher, app="other")
    value, error = await open_one(cipher, stored, app="shop")
    assert value is None and "does not decrypt" in error


async def test_a_tampered_value_fails_with_its_reason(cipher: AesGcmCipher) -> None:
    stored = await seal(cipher)
    raw = bytearray(base64.b64decode(stored.split(":", 2)[2]))
    raw[20] ^= 0x01
    flipped = "v1:k1:" + base64.b64encode(bytes(raw)).decode()
    cases = {
        flipped: "does not decrypt",
        "v1:k1:" + base64.b64encode(bytes(raw[:20])).decode(): "truncated",
        "v1:k1:not base64!": "not base64",
        "v1:k9:" + stored.split(":", 2)[2]: "key k9 is not in the keyring",
        "plain text": "not an encrypted value",
    }
    opened = await cipher.decrypt("shop", [CipherItem("tasks", "description", "12", v) for v in cases])
    assert opened.values == [None] * len(cases)
    for i, reason in enumerate(cases.values()):
        assert reason in opened.errors[str(i)]


async def test_one_bad_value_does_not_spoil_the_others_of_a_batch(cipher: AesGcmCipher) -> None:
    good = await seal(cipher)
    opened = await cipher.decrypt(
        "shop", [CipherItem("tasks", "description", "12", v) for v in (good, "v1:k1:AAAA", good)]
    )
    assert opened.values == [DESC.value, None, DESC.value]
    assert list(opened.errors) == ["1"]


async def test_a_wrong_key_fails_every_value_cleanly(cipher: AesGcmCipher, secrets: Path) -> None:
    stored = await seal(cipher)
    write_atomically(secrets / "shop_crypt_key", Keyring({"k1": new_key_bytes()}, "k1").text("shop"))
    fresh = AesGcmCipher(secrets, {"shop": settings("shop")})
    value, error = await open_one(fresh, stored)
    assert value is None and "does not decrypt under key k1" in error


async def test_a_pending_value_is_bound_to_app_table_and_column_only(cipher: AesGcmCipher) -> None:
    pending = await seal(cipher, CipherItem("tasks", "description", "", "draft"))
    assert pending.startswith("v1p:k1:")
    for row in ("", "12", "99"):  # the cipher opens a pending value as pending, whatever row it sits in...
        assert (await open_one(cipher, pending, CipherItem("tasks", "description", row, "")))[0] == "draft"
    # ...but not in another column (the read path, not the cipher, refuses pending values as a row's own)
    assert (await open_one(cipher, pending, CipherItem("tasks", "title", "", "")))[0] is None


async def test_a_key_added_to_the_file_is_used_without_a_restart(cipher: AesGcmCipher, secrets: Path) -> None:
    old = await seal(cipher)
    ring = read_keyring(secrets / "shop_crypt_key")
    write_atomically(secrets / "shop_crypt_key", Keyring({**ring.keys, "k2": new_key_bytes()}, "k2").text("shop"))
    other = AesGcmCipher(secrets, {"shop": settings("shop")})
    new = await seal(other)
    assert new.startswith("v1:k2:")
    # the first cipher has not looked at the file since: a value under the unknown k2 makes it look at once
    assert await open_one(cipher, new) == (DESC.value, None)
    assert await open_one(cipher, old) == (DESC.value, None)
    assert cipher.status("shop") == {"active": "k2", "keys": ["k1", "k2"], "retiring": ["k1"]}


async def test_blind_indexes_are_deterministic_per_column_and_secret(cipher: AesGcmCipher) -> None:
    items = [
        CipherItem("owners", "email", "", "ana@x.test"),
        CipherItem("owners", "email", "7", "ana@x.test"),  # the row plays no part
        CipherItem("owners", "email", "", "Ana@x.test"),
        CipherItem("users", "email", "", "ana@x.test"),
    ]
    a, b, c, d = await cipher.hash("shop", items)
    assert a == b and len(a) == 64 and int(a, 16) >= 0
    assert len({a, c, d}) == 3
    assert (await cipher.hash("other", items[:1]))[0] != a  # another app's index key


async def test_keys_live_in_0600_files_and_bad_files_are_named(cipher: AesGcmCipher, secrets: Path) -> None:
    path = secrets / "shop_crypt_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    write_atomically(path, read_keyring(path).text("shop"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for text, message in (
        ("active: k1\nk1: bm90IGEga2V5\n", "must be 32 bytes"),
        ("k1: %%%\n", "not base64"),
        ("k1: " + base64.b64encode(new_key_bytes()).decode() + "\nk1: x\n", "listed twice"),
        ("active: k7\nk1: " + base64.b64encode(new_key_bytes()).decode() + "\n", "names no key"),
        ("# nothing\n", "holds no key"),
    ):
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            AesGcmCipher(secrets, {"shop": settings("shop")}).keys("shop")
    path.unlink()
    with pytest.raises(ConfigError, match="sogoms secrets init shop"):
        await AesGcmCipher(secrets, {"shop": settings("shop")}).encrypt("shop", [DESC])
    with pytest.raises(NotFound):
        await cipher.encrypt("nope", [DESC])


def test_a_bare_legacy_key_is_read_as_k1(secrets: Path) -> None:
    path = secrets / "legacy"
    key = new_key_bytes()
    path.write_text(base64.b64encode(key).decode() + "\n")
    assert read_keyring(path) == Keyring({"k1": key}, "k1")
