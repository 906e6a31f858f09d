"""Another local user of the host reads nothing of the platform: data, logs and run folders 0700, files 0600.

The services set it themselves (umask at start, and closing what an older version left open), so it holds for the
files they create later too: daily logs, SQLite's -wal/-shm, the admin's state database. Sockets stay 0660.
"""

from __future__ import annotations

import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.supervisor.conftest import Sogoctl, supervisor_file
from tests.support.api import DEMO_PASSWORDS
from tests.support.platform import Platform

APPS = ("prokov", "koprogo")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


@pytest.fixture
def running(platform: Platform) -> Iterator[Sogoctl]:
    """The shipped platform under sogoctl, as `make run` starts it; on SQLite the apps' files in the data folder
    (where the shipped app.yaml puts them), made 0644 by this test process the way an older version left them."""
    if platform.backend == "sqlite":
        for app in APPS:
            old = Path(platform.urls[app].split("///", 1)[1])
            new = platform.paths.data / old.name
            shutil.move(old, new)
            new.chmod(0o644)
            platform.urls[app] = f"sqlite+aiosqlite:///{new}"
    for folder in (platform.paths.logs, platform.paths.data, platform.paths.run):
        folder.chmod(0o755)
    (platform.paths.logs / "old-20200101-events.log").write_text("{}\n")
    (platform.paths.logs / "old-20200101-events.log").chmod(0o644)
    supervisor_file(platform)
    ctl = Sogoctl(platform).start()
    try:
        ctl.wait_healthy()
        yield ctl
    finally:
        ctl.stop()


def test_data_logs_and_run_are_the_platforms_alone_after_a_real_start(running: Sogoctl) -> None:
    paths = running.platform.paths
    # files created after the start: a sign-in writes the day's event log of the app, and the database's WAL
    r = httpx.post(
        running.url("/api/auth/login"),
        headers={"Host": "prokov.localhost"},
        json={"email": "ana@prokov.test", "password": DEMO_PASSWORDS["ana@prokov.test"]},
        timeout=30,
    )
    assert r.status_code == 200, r.text

    for folder in (paths.data, paths.logs, paths.run):
        assert mode(folder) == 0o700, f"{folder} is {oct(mode(folder))}"
    files = [p for folder in (paths.data, paths.logs) for p in folder.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "admin.db" in names and any(n.startswith("prokov-") and n.endswith("-events.log") for n in names), names
    assert "sogoway.log" in names  # the services' own output, written by sogoctl
    if running.platform.backend == "sqlite":
        assert {"prokov.db", "prokov.db-wal", "prokov.db-shm", "koprogo.db"} <= names, names
    opened = {str(p): oct(mode(p)) for p in files if mode(p) & 0o077}
    assert opened == {}, f"readable or writable by others: {opened}"
    sockets = [p for p in paths.run.iterdir() if stat.S_ISSOCK(p.lstat().st_mode)]
    assert len(sockets) >= 3
    assert {p.name: mode(p) for p in sockets} == {p.name: 0o660 for p in sockets}
