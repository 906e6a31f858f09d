"""`${VAR}` and `${VAR:-default}` expanded from the environment in every string of a YAML file."""

from __future__ import annotations

import pytest

from adapters.config.envexpand import ExpansionError, expand, expand_tree

from .conftest import AppFolder


@pytest.mark.parametrize(
    ("text", "env", "expected"),
    [
        ("${DB}", {"DB": "mysql://h/db"}, "mysql://h/db"),
        ("${DB:-sqlite:///x.db}", {"DB": "mysql://h/db"}, "mysql://h/db"),
        ("${DB:-sqlite:///x.db}", {}, "sqlite:///x.db"),
        ("${DB:-sqlite:///x.db}", {"DB": ""}, "sqlite:///x.db"),  # set but empty takes the default
        ("${DB}", {"DB": ""}, ""),  # set but empty, no default: empty
        ("${DB:-}", {}, ""),
        ("${PW:-p@ss:w/rd?#&=%20}", {}, "p@ss:w/rd?#&=%20"),
        ("${PW:-a-b c:-d}", {}, "a-b c:-d"),
        ("${URL:-sqlite:///${DATA:-var/data}/a.db}", {}, "sqlite:///var/data/a.db"),
        ("${URL:-sqlite:///${DATA:-var/data}/a.db}", {"DATA": "/srv"}, "sqlite:////srv/a.db"),
        ("host-${N}-x ${M:-y}", {"N": "1"}, "host-1-x y"),
        ("$$HOME and ${A:-$$}", {}, "$HOME and $"),
        ("no variables $ here", {}, "no variables $ here"),
    ],
)
def test_expand(text: str, env: dict[str, str], expected: str) -> None:
    assert expand(text, env) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${MISSING}", "environment variable MISSING is not set"),
        ("${1BAD:-x}", "invalid variable name '1BAD'"),
        ("${}", "invalid variable name ''"),
        ("${OPEN:-x", "unclosed '${'"),
    ],
)
def test_expand_refuses(text: str, message: str) -> None:
    with pytest.raises(ExpansionError, match=message.replace("$", r"\$").replace("{", r"\{")):
        expand(text, {})


def test_expand_tree_reaches_nested_strings_and_leaves_other_values() -> None:
    tree = {"a": ["${X:-1}", 2, {"b": "${Y}"}], "c": True, "d": None}
    assert expand_tree(tree, {"Y": "why"}) == {"a": ["1", 2, {"b": "why"}], "c": True, "d": None}


def test_app_yaml_is_expanded_from_the_environment_before_decoding(shop: AppFolder) -> None:
    shop.env.update({"SHOP_DATABASE_URL": "mysql+asyncmy://u:p@db:3306/shop"})
    shop.write(
        "app.yaml",
        "app: shop\nhosts: ['${SHOP_HOST:-shop.test}']\n"
        "database: {url: '${SHOP_DATABASE_URL:-sqlite:///x.db}', pool_size: '${SHOP_POOL:-7}'}\n"
        "auth: {jwt_secret_file: shop_jwt}\n"
        "smtp: {port: '${SHOP_SMTP_PORT:-2525}', tls: '${SHOP_TLS:-true}'}\n",
    )
    s = shop.load().settings
    assert s.hosts == ("shop.test",)
    assert s.database.url == "mysql+asyncmy://u:p@db:3306/shop"
    assert s.database.dialect == "mysql"
    assert s.database.pool_size == 7  # an expanded number still decodes as an int
    assert s.smtp is not None
    assert (s.smtp.port, s.smtp.tls) == (2525, True)
