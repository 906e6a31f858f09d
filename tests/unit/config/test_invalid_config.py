"""An invalid file stops start-up with a message naming the file, the key path and what was expected."""

from __future__ import annotations

import pytest

from domain.errors import ConfigError

from .conftest import AppFolder

GOOD_HEAD = "app: shop\nhosts: [shop.test]\nauth: {jwt_secret_file: shop_jwt}\n"


def refusal(shop: AppFolder, relative: str, text: str) -> str:
    path = shop.write(relative, text)
    with pytest.raises(ConfigError) as err:
        shop.repo().load_all()
    message = err.value.message
    assert message.startswith(f"{path}: "), message
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD_HEAD + "database: {url: x, pool_size: ten}\n", "at `database.pool_size`: expected `int`, got `str`"),
        (GOOD_HEAD + "database: {url: x}\nsmtp: {tls: maybe}\n", "at `smtp.tls`: expected `bool`, got `str`"),
        (GOOD_HEAD + "database: {url: x}\nsmtp: {from: [a, b]}\n", "at `smtp.from`: expected `str`, got `array`"),
        ("app: shop\nhosts: shop.test\ndatabase: {url: x}\n", "at `hosts`: expected `array`, got `str`"),
    ],
)
def test_wrong_type(shop: AppFolder, text: str, expected: str) -> None:
    assert refusal(shop, "app.yaml", text) == expected


def test_unknown_key_names_its_path_and_the_known_keys(shop: AppFolder) -> None:
    message = refusal(shop, "app.yaml", GOOD_HEAD + "database: {url: x, pol_size: 3}\n")
    assert message.startswith("unknown key `database.pol_size` (expected one of: ")
    assert "pool_size" in message


def test_unknown_key_in_a_query_file(shop: AppFolder) -> None:
    message = refusal(shop, "queries/tags.yaml", "list: {query: SELECT 1, filter: {default: ''}}\n")
    assert message.startswith("unknown key `list.filter` (expected one of: filters, order, query)")


def test_missing_required_key(shop: AppFolder) -> None:
    assert refusal(shop, "app.yaml", "app: shop\ndatabase: {url: x}\n") == (
        "at `(top level)`: object missing required field `hosts`"
    )


def test_missing_required_key_in_a_query_file(shop: AppFolder) -> None:
    assert refusal(shop, "queries/tags.yaml", "list: {order: id}\n") == (
        "at `list`: object missing required field `query`"
    )


def test_database_needs_a_url_or_host_and_name(shop: AppFolder) -> None:
    assert refusal(shop, "app.yaml", GOOD_HEAD + "database: {user: x}\n") == (
        "at `database`: database needs either `url` or `host` and `name`"
    )


@pytest.mark.parametrize(
    ("section", "key_path"),
    [
        ("auth: {jwt_secret_file: shop_jwt, jwt_expiry: 24x}", "auth.jwt_expiry"),
        ("auth: {jwt_secret_file: shop_jwt, refresh_expiry: soon}", "auth.refresh_expiry"),
        ("auth: {jwt_secret_file: shop_jwt, rate_limit: {window: forever}}", "auth.rate_limit.window"),
        ("auth: {jwt_secret_file: shop_jwt}\nsmtp: {timeout: 3 minutes}", "smtp.timeout"),
    ],
)
def test_bad_duration_names_the_key(shop: AppFolder, section: str, key_path: str) -> None:
    text = f"app: shop\nhosts: [shop.test]\ndatabase: {{url: x}}\n{section}\n"
    message = refusal(shop, "app.yaml", text)
    assert message.startswith(f"at `{key_path}`: expected a duration like '30s', '5m', '24h', '30d', got "), message


def test_a_leeway_over_30_seconds_is_refused(shop: AppFolder) -> None:
    text = "app: shop\nhosts: [shop.test]\ndatabase: {url: x}\nauth: {jwt_secret_file: shop_jwt, leeway: 45s}\n"
    assert refusal(shop, "app.yaml", text) == "at `auth.leeway`: must be at most 30s"


def test_bad_enum_value_names_the_table_and_field(shop: AppFolder) -> None:
    text = "tables:\n  notes:\n    fields:\n      id: {type: int, primary: true, auto: true}\n      body: {type: txt}\n"
    assert refusal(shop, "schema.yaml", text) == "at `tables.notes.fields.body.type`: invalid enum value 'txt'"


def test_a_query_that_is_not_a_select_is_refused(shop: AppFolder) -> None:
    assert refusal(shop, "queries/tags.yaml", "list: {query: DELETE FROM tags}\n") == (
        "at `list`: query must be a SELECT statement"
    )


def test_invalid_yaml_names_the_line(shop: AppFolder) -> None:
    assert refusal(shop, "app.yaml", "app: shop\nhosts: [shop.test\n").startswith("invalid YAML (line ")


def test_app_name_must_match_its_folder(shop: AppFolder) -> None:
    message = refusal(shop, "app.yaml", "app: other\nhosts: [shop.test]\ndatabase: {url: x}\n")
    assert message == "at `app`: 'other' must match its folder name 'shop'"


def test_login_include_must_name_a_resource(shop: AppFolder) -> None:
    message = refusal(shop, "app.yaml", GOOD_HEAD.replace("}", ", login_include: [nope]}") + "database: {url: x}\n")
    assert message.startswith("at `auth.login_include`: unknown resource 'nope'")


def test_an_unset_variable_without_default_names_it(shop: AppFolder) -> None:
    message = refusal(shop, "app.yaml", GOOD_HEAD + "database: {url: '${SHOP_DB_URL_UNSET}'}\n")
    assert message == (
        "environment variable SHOP_DB_URL_UNSET is not set (write ${SHOP_DB_URL_UNSET:-default} to give a default)"
    )
