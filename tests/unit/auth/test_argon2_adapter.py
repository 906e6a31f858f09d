"""Argon2Hasher (cheap parameters): an unknown account still costs one real verification, old hashes upgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.security.argon2_hasher import Argon2Hasher

CHEAP = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


class CountingArgon2Hasher(Argon2Hasher):
    """Records each hash argon2 really verified against."""

    def __init__(self, **params: int) -> None:
        super().__init__(workers=1, **params)
        self.checked: list[str] = []

    def _safe_verify(self, stored: str, password: str) -> bool:
        self.checked.append(stored)
        return super()._safe_verify(stored, password)


@pytest.fixture
def hasher() -> Iterator[CountingArgon2Hasher]:
    h = CountingArgon2Hasher(**CHEAP)
    yield h
    h.close()


async def test_hash_is_argon2id_and_verifies(hasher: CountingArgon2Hasher) -> None:
    stored = await hasher.hash("correct horse")
    assert stored.startswith("$argon2id$")
    assert (await hasher.verify(stored, "correct horse")).valid
    assert not (await hasher.verify(stored, "wrong horse")).valid


async def test_an_unknown_account_verifies_the_dummy_hash(hasher: CountingArgon2Hasher) -> None:
    result = await hasher.verify(None, "any password")
    assert not result.valid
    assert len(hasher.checked) == 1
    assert hasher.checked[0].startswith("$argon2id$")  # a real argon2 verification: same cost as a real account


async def test_a_stored_value_that_is_no_hash_is_refused_at_the_same_cost(hasher: CountingArgon2Hasher) -> None:
    assert not (await hasher.verify("plaintext-password", "plaintext-password")).valid
    assert len(hasher.checked) == 1


async def test_a_hash_with_older_parameters_needs_a_rehash() -> None:
    old = Argon2Hasher(workers=1, time_cost=1, memory_cost=8)
    new = Argon2Hasher(workers=1, time_cost=2, memory_cost=16)
    try:
        stored = await old.hash("pw-123456")
        result = await new.verify(stored, "pw-123456")
        assert (result.valid, result.needs_rehash) == (True, True)
        assert (await new.verify(await new.hash("pw-123456"), "pw-123456")).needs_rehash is False
    finally:
        old.close()
        new.close()
