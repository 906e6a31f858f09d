"""Raw argon2id verifications per second of the gateway's profile (m=19 MiB, t=2, p=1), `threads` at a time."""

from __future__ import annotations

import argparse
import json
import threading
import time

from argon2 import PasswordHasher, Type

from adapters.security.argon2_hasher import OWASP


def rate(threads: int, seconds: float) -> float:
    ph = PasswordHasher(type=Type.ID, **OWASP)
    stored = ph.hash("demo1234")
    done = [0] * threads
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        while time.monotonic() < stop:
            ph.verify(stored, "demo1234")  # argon2-cffi releases the GIL: threads run in parallel
            done[i] += 1

    started = time.monotonic()
    ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sum(done) / (time.monotonic() - started)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    print(json.dumps({"verifications_per_s": rate(a.threads, a.seconds), "threads": a.threads}))
