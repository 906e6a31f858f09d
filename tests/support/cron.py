"""A running sogoms-cron for tests, with a recording stand-in for sogoms-smtp on the platform's smtp socket."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

from tests.fakes.services import SMTP_ACTIONS, FakeSmtpService, serving
from tests.support.platform import Platform
from tests.support.processes import start, stop, wait_for_socket


def hold_scheduled_firings(platform: Platform) -> None:
    """Disable prokov's tasks_today schedule in this platform's copy, so only manual triggers run it
    (a test running at 08:xx on a weekday would otherwise also see the scheduled or caught-up firing)."""
    path = platform.paths.config / "apps" / "prokov" / "cron.yaml"
    text = path.read_text()
    assert "    enabled: true\n" in text
    path.write_text(text.replace("    enabled: true\n", "    enabled: false\n"))


@contextlib.contextmanager
def running_cron(platform: Platform, *args: str) -> Iterator[tuple[subprocess.Popen[bytes], FakeSmtpService]]:
    smtp = FakeSmtpService()
    with serving(smtp, SMTP_ACTIONS, platform.paths.socket("smtp"), name="fake-smtp"):
        proc = start("sogoms-cron", *args, env=platform.env, log=platform.paths.logs / "sogoms-cron.out")
        try:
            wait_for_socket(platform.paths.socket("cron"), proc=proc)
            yield proc, smtp
        finally:
            stop(proc)
