"""Fixtures of the push tests: a private broker the test controls, and unique topics on the shared one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.mqtt import PrivateBroker


@pytest.fixture
def private_broker(tmp_path: Path) -> Iterator[PrivateBroker]:
    """A broker on a free port, not started yet: the test starts, stops, pauses it."""
    broker = PrivateBroker(tmp_path / "mosquitto")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def tag() -> str:
    """A topic level of this test only, so parallel tests on the shared broker never see each other's messages."""
    return f"t{uuid.uuid4().hex[:12]}"
