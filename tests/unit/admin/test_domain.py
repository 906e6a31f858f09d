"""Admin accounts, permissions, sessions and settings (domain rules)."""

from __future__ import annotations

import pytest

from domain.admin import AddressList, AdminSession, AdminSettings, AdminUser, Role, SessionSettings
from domain.errors import Forbidden


def app_admin(*perms: str, apps: tuple[str, ...] = ("prokov",)) -> AdminUser:
    return AdminUser("ann", "h", Role.APP_ADMIN, apps=apps, permissions=perms)


def test_super_admin_can_everything_everywhere() -> None:
    boss = AdminUser("boss", "h", Role.SUPER_ADMIN)
    assert boss.can("queries:write", "koprogo") and boss.can("anything", None)
    assert boss.visible(["a", "b"]) == ["a", "b"]


def test_app_admin_holds_only_its_permissions_on_its_apps() -> None:
    ann = app_admin("queries:read", "logs:read")
    assert ann.can("queries:read", "prokov")
    assert not ann.can("queries:write", "prokov")
    assert not ann.can("queries:read", "koprogo")
    assert not ann.can("queries:read", None)  # platform-wide actions are for super admins
    assert ann.visible(["koprogo", "prokov"]) == ["prokov"]


def test_star_grants_every_permission_but_only_on_listed_apps() -> None:
    ann = app_admin("*")
    assert ann.can("cron:trigger", "prokov") and ann.can("schema:write", "prokov")
    assert not ann.can("cron:trigger", "koprogo")


def test_require_raises_forbidden_naming_the_permission() -> None:
    with pytest.raises(Forbidden, match="cron:trigger"):
        app_admin("cron:read").require("cron:trigger", "prokov")


def test_unknown_permission_and_bad_username_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        app_admin("queries:delete")
    with pytest.raises(ValueError, match="username"):
        AdminUser("<script>", "h")


def test_session_expires_when_idle_or_too_old() -> None:
    s = AdminSession("h", "ann", "csrf", created_at=0, last_seen=0)
    assert not s.expired(100, idle_timeout=300, absolute_timeout=3600)
    assert s.expired(301, idle_timeout=300, absolute_timeout=3600)
    busy = AdminSession("h", "ann", "csrf", created_at=0, last_seen=3599)
    assert busy.expired(3601, idle_timeout=300, absolute_timeout=3600)


def test_address_list_matches_names_and_cidrs() -> None:
    allow = AddressList(("127.0.0.0/8", "db.internal", "10.1.2.3"))
    assert allow.allows("127.0.0.1", ["127.0.0.1"])
    assert allow.allows("db.internal", [])
    assert allow.allows("10.1.2.3", ["10.1.2.3"])
    assert not allow.allows("evil.example", ["203.0.113.9"])
    # a name that resolves partly outside the list is refused
    assert not allow.allows("mixed.example", ["127.0.0.1", "203.0.113.9"])
    assert not allow.allows("nowhere.example", [])


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="idle_timeout"):
        SessionSettings(idle_timeout="2h", absolute_timeout="1h")
    with pytest.raises(ValueError, match="neither"):
        AdminSettings(db_allowlist=("not a host!",))
    assert AdminSettings().session.secure is True


@pytest.mark.parametrize(("given", "base"), [("/admin", "/admin"), ("/ops/admin/", "/ops/admin"), ("/", ""), ("", "")])
def test_admin_base_path_defaults_to_the_seeds_and_is_normalised(given: str, base: str) -> None:
    assert AdminSettings().base == "/admin"
    assert AdminSettings(base_path=given).base == base


@pytest.mark.parametrize("bad", ["admin", "/ad min", "/../etc", "/a//b", "/x?y", "https://x/admin"])
def test_a_base_path_that_is_not_a_plain_path_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="base_path"):
        AdminSettings(base_path=bad)


def test_admin_urls_put_every_page_under_the_base_path_and_quote_names() -> None:
    from entrypoints.admin.urls import AdminUrls

    urls = AdminUrls("/admin")
    assert (urls.home, urls.login, urls.static) == ("/admin/", "/admin/login", "/admin/static")
    assert urls.app("a b/c", "files", "queries") == "/admin/apps/a%20b%2Fc/files/queries"
    assert urls.is_api("/admin/api/apps") and not urls.is_api("/api/apps")
    root = AdminUrls("")
    assert (root.home, root.login, root.app("prokov")) == ("/", "/login", "/apps/prokov")
    with pytest.raises(ValueError):
        urls("login")
