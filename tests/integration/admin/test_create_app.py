"""Creating an app: checked form, database reached first, secrets 0600, folder whole, gateway reloaded."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Iterator

import pytest

from adapters.config.apps import YamlAppRepository
from application.admin.create_app import NewApp
from application.admin.ports import DbTarget
from domain.errors import Forbidden, InvalidInput
from tests.support.databases import MARIADB_URL, create_mariadb, drop_mariadb
from tests.support.databases import _admin as run_as_root

from .conftest import ANN, BOSS


def sqlite_app(name: str = "notes", hosts: tuple[str, ...] = ("notes.localhost",)) -> NewApp:
    return NewApp(name=name, hosts=hosts, database=DbTarget(kind="sqlite", sqlite_file=f"{name}.db"))


def fields(exc: InvalidInput) -> dict[str, str]:
    return {e.field: e.message for e in exc.field_errors}


async def test_create_an_sqlite_app(admin) -> None:
    paths = admin.platform.paths
    created = await admin.create(BOSS, sqlite_app())
    folder = paths.config / "apps" / "notes"
    assert created.folder == str(folder) and created.warnings == []
    assert (folder / "queries").is_dir()
    secret = paths.secrets / "notes_jwt_secret"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_bytes().strip()) >= 32
    app = YamlAppRepository(paths.config, paths.secrets).load(folder)  # as the gateway loads it
    assert app.settings.hosts == ("notes.localhost",)
    assert app.settings.database.url.endswith("/notes.db")
    assert admin.control.reloaded == ["sogoway", "sogoms-db"]
    entry = admin.logs.audit("admin.create_app")[-1]
    assert entry[0] == "_admin" and entry[2]["name"] == "notes" and entry[2]["outcome"] == "ok"
    assert not [p for p in (paths.config / "apps").iterdir() if p.name.startswith(".")]


async def test_form_errors_are_listed_per_field_and_nothing_is_written(admin) -> None:
    paths = admin.platform.paths
    bad = NewApp(
        name="Bad Name",
        hosts=("not a host",),
        base_path="api/",
        database=DbTarget(kind="sqlite", sqlite_file="../escape.db"),
        jwt_expiry="forever",
    )
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, bad)
    assert set(fields(err.value)) == {"name", "hosts", "base_path", "sqlite_file", "jwt_expiry"}
    assert sorted(p.name for p in (paths.config / "apps").iterdir()) == ["koprogo", "prokov"]
    assert admin.control.reloaded == []


async def test_existing_name_and_taken_host_are_refused(admin) -> None:
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, sqlite_app("prokov"))
    assert "already exists" in fields(err.value)["name"]
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, sqlite_app("other", ("Prokov.Localhost",)))
    assert "prokov" in fields(err.value)["hosts"]


async def test_a_host_outside_the_allowlist_is_never_contacted(admin) -> None:
    target = DbTarget(kind="mariadb", host="203.0.113.7", user="u", password="p", name="x")
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, NewApp("remote", ("remote.localhost",), target))
    assert "db_allowlist" in fields(err.value)["db_host"]
    assert not (admin.platform.paths.config / "apps" / "remote").exists()


async def test_an_unreachable_database_stops_creation_before_anything_is_written(admin) -> None:
    target = DbTarget(kind="mariadb", host="127.0.0.1", port=1, user="u", password="secret-pw", name="x")
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, NewApp("remote", ("remote.localhost",), target))
    assert "connection test failed" in fields(err.value)["database"]
    assert not (admin.platform.paths.config / "apps" / "remote").exists()
    assert not (admin.platform.paths.secrets / "remote_db_password").exists()
    assert not (admin.platform.paths.secrets / "remote_jwt_secret").exists()


async def test_only_a_super_admin_creates_apps(admin) -> None:
    with pytest.raises(Forbidden):
        await admin.create(ANN, sqlite_app())
    assert admin.logs.audit("admin.create_app")[-1][2]["outcome"] == "forbidden"


@pytest.fixture
def maria_db() -> Iterator[tuple[str, str, str]]:
    """A fresh MariaDB database and a user with a password on it: (database, user, password)."""
    url = create_mariadb("sogoms_t_admin")
    name = url.rsplit("/", 1)[1]
    user, password = f"u{name[-10:]}", "admin-test-pw-1"
    asyncio.run(run_as_root(f"CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'"))
    asyncio.run(run_as_root(f"GRANT ALL ON `{name}`.* TO '{user}'@'%'"))
    try:
        yield name, user, password
    finally:
        asyncio.run(run_as_root(f"DROP USER IF EXISTS '{user}'@'%'"))
        drop_mariadb(url)


@pytest.mark.skipif(not MARIADB_URL, reason="SOGOMS_TEST_MARIADB_URL not set")
@pytest.mark.mariadb
async def test_create_a_mariadb_app_with_its_password_in_a_secret_file(admin, maria_db) -> None:
    if admin.platform.backend != "mariadb":
        pytest.skip("runs once, with the MariaDB platform")
    name, user, password = maria_db
    paths = admin.platform.paths
    wrong = DbTarget(kind="mariadb", host="127.0.0.1", user=user, password="wrong-password", name=name)
    with pytest.raises(InvalidInput) as err:
        await admin.create(BOSS, NewApp("maria", ("maria.localhost",), wrong))
    assert "Access denied" in fields(err.value)["database"]
    target = DbTarget(kind="mariadb", host="127.0.0.1", user=user, password=password, name=name)
    await admin.create(BOSS, NewApp("maria", ("maria.localhost",), target))
    secret = paths.secrets / "maria_db_password"
    assert secret.read_text().strip() == password and stat.S_IMODE(secret.stat().st_mode) == 0o600
    app = YamlAppRepository(paths.config, paths.secrets).load(paths.config / "apps" / "maria")
    db = app.settings.database
    assert (db.host, db.name, db.user, db.password_file) == ("127.0.0.1", name, user, "maria_db_password")
    assert password not in (paths.config / "apps" / "maria" / "app.yaml").read_text()
