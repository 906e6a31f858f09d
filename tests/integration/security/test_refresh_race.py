"""Refresh rotation racing a replay on another worker or host, against the real tables (SQLite and MariaDB).

Two requests carry one refresh token at the same moment: one claims it and stores the next token of the family,
the other sees a replay and revokes the family. Whatever the interleaving, no token of that family stays usable.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.sql.auth_store import SqlRefreshTokens, SqlRevocationList
from adapters.sql.database import SqlAlchemyDatabase
from application.ports.auth_store import RefreshToken
from domain.app import DatabaseSettings
from domain.query.statement import WriteResult
from tests.support.databases import drop_mariadb, new_database

NOW = 1_800_000_000


def token(family: str, jti: str) -> RefreshToken:
    return RefreshToken(family, "7", jti, NOW + 3600, NOW + 600)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    url = new_database(backend, tmp_path, "refresh")
    yield url
    if backend == "mariadb":
        drop_mariadb(url)


@pytest.fixture
async def db(db_url: str, tmp_path: Path) -> AsyncIterator[SqlAlchemyDatabase]:
    database = SqlAlchemyDatabase(tmp_path, {"app": DatabaseSettings(url=db_url, pool_size=2)})
    yield database
    await database.close()


class InterleavedDatabase:
    """The real database, with another request's write run right after the first statement matching `marker`
    (the moment a concurrent request on another node would land)."""

    def __init__(self, db: SqlAlchemyDatabase, marker: str, meanwhile: Callable[[], Awaitable[Any]]) -> None:
        self._db, self._marker = db, marker
        self._meanwhile: Callable[[], Awaitable[Any]] | None = meanwhile
        self.query, self.query_one, self.insert, self.delete = db.query, db.query_one, db.insert, db.delete

    async def update(self, app: str, sql: str, args: dict[str, Any]) -> WriteResult:
        result = await self._db.update(app, sql, args)
        if self._marker in sql and self._meanwhile is not None:
            meanwhile, self._meanwhile = self._meanwhile, None
            await meanwhile()
        return result


async def test_a_token_stored_after_its_family_was_revoked_is_refused_and_revoked(db: SqlAlchemyDatabase):
    revocations = SqlRevocationList(db, clock=lambda: NOW)
    tokens = SqlRefreshTokens(db, revocations)
    assert await tokens.store("app", "parent", token("f1", "jti-parent"))
    assert await tokens.consume("app", "parent", NOW) is not None  # host a claims it...
    assert await tokens.consume("app", "parent", NOW) is None  # ...host b sees a replay: family revoked
    assert await tokens.store("app", "child", token("f1", "jti-child")) is False  # host a, just after
    assert await tokens.consume("app", "child", NOW) is None
    assert await revocations.is_revoked("app", "jti-child")


async def test_a_token_stored_while_the_family_is_being_revoked_is_swept(db: SqlAlchemyDatabase):
    """On Galera the revocation's UPDATE may run on its node before the other node's new row arrives there, while
    that rotation's own look found nothing yet: the revocation's second sweep must catch the row."""
    revocations = SqlRevocationList(db, clock=lambda: NOW)
    plain = SqlRefreshTokens(db, revocations)
    assert await plain.store("app", "parent", token("f2", "jti-parent"))
    assert await plain.consume("app", "parent", NOW) is not None

    async def rotation_lands() -> None:  # its insert, its look having run before the revocation committed
        await db.insert(
            "app",
            "INSERT INTO sogoms_refresh_tokens (token_hash, family, user_id, access_jti, access_expires_at, "
            "expires_at) VALUES ('child', 'f2', '7', 'jti-child', :a, :e)",
            {"a": NOW + 600, "e": NOW + 3600},
        )

    racing = SqlRefreshTokens(InterleavedDatabase(db, "SET revoked_at", rotation_lands), revocations)  # type: ignore[arg-type]
    await racing.revoke_family("app", "f2", NOW)
    assert await plain.consume("app", "child", NOW) is None
    assert await revocations.is_revoked("app", "jti-child")
