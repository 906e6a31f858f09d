"""`make test`: the whole suite, on SQLite and, when a MariaDB answers, on MariaDB too (saying so plainly)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

DEFAULT_MARIADB = "mysql+asyncmy://root@127.0.0.1:3306/test"


def mariadb_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 3306), timeout=1):
            return True
    except OSError:
        return False


def main() -> int:
    env = dict(os.environ)
    if not env.get("SOGOMS_TEST_MARIADB_URL") and mariadb_answers():
        env["SOGOMS_TEST_MARIADB_URL"] = DEFAULT_MARIADB
    if env.get("SOGOMS_TEST_MARIADB_URL"):
        print(f"make test: MariaDB suite ON ({env['SOGOMS_TEST_MARIADB_URL']})", flush=True)
    else:
        print(
            "make test: no MariaDB on 127.0.0.1:3306 and SOGOMS_TEST_MARIADB_URL unset: "
            "the MariaDB suite is SKIPPED, SQLite only.",
            flush=True,
        )
    extra = sys.argv[1:]
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in extra):
        # two workers: the suite is mostly waiting on subprocesses, sockets and databases
        extra = ["-n", os.environ.get("SOGOMS_TEST_WORKERS", "2"), *extra]
    args = [sys.executable, "-m", "pytest", *extra]
    code = subprocess.call(args, env=env)
    if not env.get("SOGOMS_TEST_MARIADB_URL"):
        print("make test: reminder: the MariaDB suite was SKIPPED (no MariaDB reachable).", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
