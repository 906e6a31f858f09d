"""The inbound-mail stack as real processes: Dovecot, sogoms-db, -logs, -smtp, -mailproc, -imap, an SMTP server."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from entrypoints.cli.secrets_cmd import init_secrets
from tests.integration.mail.smtpd import Recorder, SmtpServer
from tests.support.dovecot import Dovecot, running_dovecot
from tests.support.ipc import ipc_call
from tests.support.platform import Platform
from tests.support.processes import start, stop, wait_for_socket

MAILBOX = "tasks@prokov.localhost"


@dataclass
class Inbound:
    platform: Platform
    dovecot: Dovecot
    smtp: Recorder
    env: dict[str, str]
    procs: dict[str, Any] = field(default_factory=dict)

    def socket(self, service: str) -> Path:
        return self.platform.paths.socket(service)

    def start(self, service: str, *args: str) -> None:
        proc = start(f"sogoms-{service}", *args, env=self.env, log=self.platform.paths.logs / f"sogoms-{service}.out")
        self.procs[service] = proc
        wait_for_socket(self.socket(service), proc=proc, timeout=60)  # a loaded machine starts Python slowly

    def call(self, service: str, action: str, params: dict[str, Any] | None = None, timeout: float = 30.0) -> Any:
        return ipc_call(self.socket(service), action, params, timeout)

    def query(self, sql: str, args: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return list(self.call("db", "query", {"app_id": "prokov", "query": sql, "args": args or {}}))

    def deliver(self, raw: bytes) -> None:
        self.dovecot.append(MAILBOX, raw)


def eventually(check: Callable[[], Any], timeout: float = 30.0, pause: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout}s: {check}")
        time.sleep(pause)


@pytest.fixture
def inbound(platform: Platform) -> Iterator[Inbound]:
    init_secrets(argparse.Namespace(app=["prokov"]), platform.paths)
    password = (platform.paths.secrets / "prokov_imap_password").read_text().strip()
    recorder = Recorder()
    smtp = SmtpServer(recorder).start()
    with running_dovecot({MAILBOX: password}) as dovecot:
        env = {
            **platform.env,
            "PROKOV_IMAP_PORT": str(dovecot.port),
            "PROKOV_SMTP_HOST": "127.0.0.1",
            "PROKOV_SMTP_PORT": str(smtp.port),
        }
        stack = Inbound(platform, dovecot, recorder, env)
        try:
            stack.start("logs")
            stack.start("db")
            stack.start("smtp", "--db", "ipc", "--logs", "ipc", "--poll", "0.2s")
            stack.start("mailproc", "--db", "ipc", "--logs", "ipc")
            stack.start("imap")
            yield stack
        finally:
            for proc in reversed(list(stack.procs.values())):
                stop(proc)
            smtp.stop()
