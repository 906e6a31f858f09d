"""The schema suites drive the gateway in-process (the IPC transport has its own suites)."""

from __future__ import annotations

import pytest


@pytest.fixture
def transport() -> str:
    return "inproc"
