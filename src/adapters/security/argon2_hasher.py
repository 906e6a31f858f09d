"""argon2id (OWASP profile m=19 MiB, t=2, p=1) in a bounded thread pool; bcrypt hashes verified and upgraded."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from application.ports.security import Verification

OWASP = {"time_cost": 2, "memory_cost": 19 * 1024, "parallelism": 1}


HASHING_NICENESS = 10


def _lower_priority() -> None:
    """Hashing threads yield the CPU to the event loop: a login flood cannot slow every other request."""
    with contextlib.suppress(AttributeError, OSError):  # Linux sets it per thread; elsewhere it is skipped
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)


class Argon2Hasher:
    """Implements PasswordHasher. At most `workers` hashes run at once; the event loop never waits on one.

    argon2-cffi releases the GIL while hashing, and the hashing threads run at a lower priority than the
    event loop, so other requests keep being served promptly during a login flood.
    """

    def __init__(
        self,
        workers: int | None = None,
        time_cost: int = 2,
        memory_cost: int = 19 * 1024,
        parallelism: int = 1,
    ):
        self._ph = _Argon2(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)
        self._pool = ThreadPoolExecutor(
            max_workers=workers or max(1, min(4, os.cpu_count() or 1)),
            thread_name_prefix="argon2",
            initializer=_lower_priority,
        )
        # the hash verified for unknown accounts, so they cost the same time as known ones
        self._dummy = self._ph.hash("sogoms-dummy-password")

    async def hash(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._ph.hash, password)

    def _verify(self, stored: str | None, password: str) -> Verification:
        if stored is None:
            self._safe_verify(self._dummy, password)
            return Verification(False)
        if stored.startswith(("$2a$", "$2b$", "$2y$")):
            try:
                import bcrypt  # only imported accounts still carry bcrypt hashes: load it when one shows up

                ok = bcrypt.checkpw(password.encode()[:72], stored.encode())
            except ValueError:
                return Verification(False)
            return Verification(ok, needs_rehash=ok)
        if not stored.startswith("$argon2"):
            self._safe_verify(self._dummy, password)
            return Verification(False)
        if not self._safe_verify(stored, password):
            return Verification(False)
        try:
            return Verification(True, needs_rehash=self._ph.check_needs_rehash(stored))
        except InvalidHashError:
            return Verification(True, needs_rehash=True)

    def _safe_verify(self, stored: str, password: str) -> bool:
        try:
            return self._ph.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._verify, stored_hash, password)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
