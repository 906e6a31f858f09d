"""app.yaml and queries/*.yaml decode into the typed domain objects the gateway serves."""

from __future__ import annotations

import pytest

from domain.app import SmtpSettings
from domain.errors import ConfigError
from domain.query.files import ReadQuery, WriteSpec

from .conftest import SECRET, AppFolder


def test_app_yaml_becomes_typed_settings(shop: AppFolder) -> None:
    app = shop.load()
    s = app.settings
    assert (s.app, s.version, s.base_path) == ("shop", "2.1", "/api")
    assert s.normalized_hosts == ("shop.test", "shop.example.com")
    assert s.database.url == "sqlite+aiosqlite:///var/data/shop.db"
    assert s.database.pool_size == 4
    assert s.database.dialect == "sqlite"
    assert s.auth.jwt_expiry_seconds == 2 * 3600
    assert s.auth.refresh_expiry_seconds == 7 * 86400
    assert s.auth.login_include == ("projects",)
    assert s.smtp == SmtpSettings(
        host="mail.test", port=465, from_address="noreply@shop.test", from_name="Shop", tls=True
    )
    assert s.logs.retention_days == 12
    assert app.jwt_secret == SECRET


def test_defaults_fill_what_app_yaml_leaves_out(shop: AppFolder) -> None:
    shop.write("app.yaml", "app: shop\nhosts: [shop.test]\ndatabase: {url: 'sqlite:///x.db'}\n")
    (shop.secrets / "shop_jwt_secret").write_bytes(SECRET)
    s = shop.load().settings
    assert s.base_path == "/api"
    assert s.jwt_secret_file == "shop_jwt_secret"
    assert s.auth.jwt_expiry_seconds == 86400
    assert s.auth.rate_limit.login_per_account == 5
    assert s.smtp is None


def test_query_files_become_resource_queries(shop: AppFolder) -> None:
    app = shop.load()
    projects = app.resource("projects")
    assert projects is not None
    assert projects.operations() == ("list", "show", "create", "delete")
    assert projects.list == ReadQuery(
        query="SELECT id, name FROM projects",
        filters={"default": "user_id = :user_id", "admin": ""},
        order="position ASC",
    )
    assert projects.create == WriteSpec(table="projects", fields=("user_id", "name", "position"))
    assert projects.update is None
    assert app.auth is not None
    assert app.auth.register is not None
    assert app.auth.register.required == ("email", "password")
    assert set(app.resources) == {"projects"}  # auth.yaml is the user store, not a resource


def test_a_query_file_declaring_no_operation_is_refused(shop: AppFolder) -> None:
    path = shop.write("queries/empty.yaml", "{}\n")
    with pytest.raises(ConfigError, match="declares none of list, show, create, update, delete") as err:
        shop.load()
    assert str(path) in err.value.message


def test_a_query_file_with_a_bad_resource_name_is_refused(shop: AppFolder) -> None:
    path = shop.write("queries/bad-name.yaml", PROJECTS_ONLY_LIST)
    with pytest.raises(ConfigError, match="not a valid identifier") as err:
        shop.load()
    assert str(path) in err.value.message


PROJECTS_ONLY_LIST = "list: {query: SELECT 1}\n"


def test_database_from_the_seed_fields(shop: AppFolder) -> None:
    shop.write(
        "app.yaml",
        "app: shop\nhosts: [shop.test]\n"
        "database: {host: db.internal, port: 3307, user: shop, password_file: shop_db, name: shopdb}\n"
        "auth: {jwt_secret_file: shop_jwt}\n",
    )
    db = shop.load().settings.database
    assert (db.host, db.port, db.user, db.password_file, db.name) == ("db.internal", 3307, "shop", "shop_db", "shopdb")
    assert db.dialect == "mysql"
