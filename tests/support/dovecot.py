"""A real IMAP server for a test: Debian's Dovecot, throw-away config and mailbox, a free loopback port."""

from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.imap.dovecot import DovecotInstance, dovecot_binary, prepare_dovecot

from .processes import free_port, wait_for_port


@dataclass
class Dovecot:
    instance: DovecotInstance
    users: dict[str, str]
    binary: str
    proc: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        return self.instance.port

    def start(self) -> None:
        log = open(self.instance.root / "dovecot.out", "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen(
            self.instance.command(self.binary), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_for_port(self.port, timeout=15, proc=self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        time.sleep(0.2)
        self.start()

    @contextmanager
    def imap(self, user: str) -> Iterator[imaplib.IMAP4]:
        client = imaplib.IMAP4("127.0.0.1", self.port)
        client.login(user, self.users[user])
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Delivers a message (IMAP APPEND, as a local delivery agent would)."""
        with self.imap(user) as client:
            typ, data = client.append(folder, None, None, raw)
            assert typ == "OK", data

    def uids(self, user: str, folder: str = "INBOX", criteria: str = "ALL") -> list[int]:
        with self.imap(user) as client:
            client.select(folder)
            _typ, data = client.uid("SEARCH", criteria)
            return [int(x) for x in data[0].split()] if data and data[0] else []

    def log(self) -> str:
        path = self.instance.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def needs_dovecot() -> str:
    binary = dovecot_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("dovecot is not installed: .ci/run installs dovecot-imapd, and CI never skips these tests")
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; .ci/run installs it)")
    return binary


@contextmanager
def running_dovecot(users: dict[str, str], ssl_cert: tuple[Path, Path] | None = None) -> Iterator[Dovecot]:
    binary = needs_dovecot()
    tls_port = free_port() if ssl_cert else 0
    server = Dovecot(prepare_dovecot(free_port(), users, ssl_cert=ssl_cert, tls_port=tls_port), users, binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.instance.root, ignore_errors=True)


def write_password(secrets: Path, name: str, password: str) -> None:
    path = secrets / name
    path.write_text(password)
    path.chmod(0o600)
