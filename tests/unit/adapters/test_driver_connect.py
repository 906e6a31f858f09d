"""A connection that breaks while it is being made is the database being unreachable (503), not a database error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sql.driver import execute
from adapters.sql.errors import translate
from domain.errors import Unavailable


async def _reset_mid_handshake() -> Any:
    raise RuntimeError("Transport does not expose socket instance")  # what asyncmy raises on a reset handshake


def test_a_connection_reset_while_connecting_is_unavailable() -> None:
    async def run() -> BaseException:
        engine = create_async_engine("sqlite+aiosqlite://", async_creator=_reset_mid_handshake)
        try:
            with pytest.raises(Exception) as caught:
                await execute(engine, "SELECT 1", {}, "query")
            return caught.value
        finally:
            await engine.dispose()

    error = asyncio.run(run())
    assert isinstance(error, ConnectionError)
    translated = translate(error, "prokov", "query")
    assert isinstance(translated, Unavailable) and translated.code == "SERVICE_UNAVAILABLE"
