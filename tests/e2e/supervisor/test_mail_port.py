"""One setting moves the development mail catcher and where the demo apps send (issue 11 item 8).

The platform runs with SOGOMS_MAILCATCHER_PORT only (no PROKOV_/KOPROGO_SMTP_PORT): a sign-up's welcome mail
must land in this platform's catcher, not on port 1025 where another platform (or nothing) listens.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.supervisor.conftest import Sogoctl, supervisor_file, wait_until
from tests.support.platform import Platform


@pytest.fixture
def catcher_only(sqlite_platform: Platform) -> Iterator[Sogoctl]:
    supervisor_file(sqlite_platform)
    ctl = Sogoctl(sqlite_platform, env={"SOGOMS_DEVMAILBOX": "false"})
    for name in ("PROKOV_SMTP_PORT", "KOPROGO_SMTP_PORT"):
        ctl.env.pop(name, None)
    ctl.start()
    try:
        ctl.wait_healthy()
        yield ctl
    finally:
        ctl.stop()


def test_the_catcher_port_alone_moves_where_the_demo_apps_send(catcher_only: Sogoctl):
    port = catcher_only.env["SOGOMS_MAILCATCHER_PORT"]
    assert port != "1025"
    r = httpx.post(
        catcher_only.url("/api/auth/register"),
        json={"email": "port@prokov.test", "name": "Port", "password": "long enough"},
        headers={"Host": "prokov.localhost"},
        timeout=10,
    )
    assert r.status_code == 201, r.text
    folder = catcher_only.platform.paths.logs / "mail"
    (eml,) = wait_until(lambda: list(folder.glob("*.eml")), 30, "the welcome mail in this platform's catcher")
    assert "To: port@prokov.test" in eml.read_text()
