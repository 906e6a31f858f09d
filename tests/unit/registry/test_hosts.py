"""The app is chosen by Host: case, port and trailing dot ignored; an unknown host is never a default app."""

from __future__ import annotations

import pytest

from application.registry import AppRegistry, LiveRegistry
from domain.app import App, AppSettings, DatabaseSettings
from domain.errors import ConfigError, DomainError, UnknownApp
from tests.fakes.clock import FakeClock


def app(name: str, *hosts: str) -> App:
    settings = AppSettings(app=name, hosts=hosts, database=DatabaseSettings(url="sqlite+aiosqlite://"))
    return App(settings=settings, resources={}, auth=None, jwt_secret=b"k" * 32)


@pytest.fixture
def registry() -> AppRegistry:
    return AppRegistry([app("shop", "shop.test", "Shop.Example.COM"), app("blog", "blog.test", "127.0.0.1")])


@pytest.mark.parametrize(
    ("host", "name"),
    [
        ("shop.test", "shop"),
        ("SHOP.Test", "shop"),
        ("shop.test:8080", "shop"),
        ("shop.test.", "shop"),
        ("Shop.Test.:443", "shop"),
        ("  shop.test  ", "shop"),
        ("shop.example.com", "shop"),
        ("blog.test:80", "blog"),
        ("127.0.0.1:8080", "blog"),
    ],
)
def test_hosts_are_matched_loosely(registry: AppRegistry, host: str, name: str) -> None:
    assert registry.for_host(host).name == name


@pytest.mark.parametrize(
    "host",
    [
        None,
        "",
        "other.test",
        "shop.test.evil.com",
        "evil.shop.test",
        "shop",
        "localhost",
        "shop.test:8080:1",
        "[::1]:8080",
    ],
)
def test_an_unknown_host_is_unknown_app_never_a_default(registry: AppRegistry, host: str | None) -> None:
    with pytest.raises(UnknownApp) as err:
        registry.for_host(host)
    assert err.value.code == "UNKNOWN_APP"


def test_with_a_single_app_an_unknown_host_is_still_refused() -> None:
    with pytest.raises(UnknownApp):
        AppRegistry([app("shop", "shop.test")]).for_host("anything.test")


def test_a_host_claimed_by_two_apps_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"host 'shop\.test' is claimed by both 'shop' and 'blog'"):
        AppRegistry([app("shop", "shop.test"), app("blog", "SHOP.test")])


def test_an_app_declared_twice_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="app 'shop' is declared twice"):
        AppRegistry([app("shop", "a.test"), app("shop", "b.test")])


class SwitchableApps:
    def __init__(self, *apps: App) -> None:
        self.apps: list[App] = list(apps)
        self.error: DomainError | None = None

    def load_all(self) -> list[App]:
        if self.error is not None:
            raise self.error
        return self.apps


async def test_a_failed_reload_keeps_serving_the_previous_apps() -> None:
    repo = SwitchableApps(app("shop", "shop.test"))
    live = LiveRegistry(repo, FakeClock(100))
    await live.load()
    repo.apps = [app("shop", "shop.test"), app("blog", "blog.test")]
    assert await live.reload() is None
    assert live.current.for_host("blog.test").name == "blog"
    repo.error = ConfigError("apps/blog/app.yaml: at `hosts`: expected `array`, got `str`")
    assert await live.reload() == "apps/blog/app.yaml: at `hosts`: expected `array`, got `str`"
    assert live.current.for_host("blog.test").name == "blog"
    assert live.status()["reload_error"] == "apps/blog/app.yaml: at `hosts`: expected `array`, got `str`"
