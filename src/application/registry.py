"""The apps being served, found by Host header or by name; rebuilt whole on reload, never mutated."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable

from application.ports.apps import AppRepository
from application.ports.clock import Clock
from domain.app import App
from domain.errors import ConfigError, DomainError, UnknownApp
from domain.identifiers import normalize_host


class AppRegistry:
    def __init__(self, apps: Iterable[App]) -> None:
        self._by_name: dict[str, App] = {}
        self._by_host: dict[str, App] = {}
        for app in apps:
            if app.name in self._by_name:
                raise ConfigError(f"app {app.name!r} is declared twice")
            self._by_name[app.name] = app
            for host in app.settings.normalized_hosts:
                other = self._by_host.get(host)
                if other is not None:
                    raise ConfigError(f"host {host!r} is claimed by both {other.name!r} and {app.name!r}")
                self._by_host[host] = app

    def for_host(self, host: str | None) -> App:
        """The app serving `host` (case, port and trailing dot ignored); UnknownApp otherwise."""
        if host:
            app = self._by_host.get(host)
            if app is None:
                app = self._by_host.get(normalize_host(host))
            if app is not None:
                return app
        raise UnknownApp(f"No app is served on host {host!r}" if host else "The request has no Host header")

    def get(self, name: str) -> App | None:
        return self._by_name.get(name)

    def named(self, name: str) -> App:
        app = self._by_name.get(name)
        if app is None:
            raise UnknownApp(f"Unknown app {name!r}")
        return app

    @property
    def apps(self) -> list[App]:
        return list(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)


class LiveRegistry:
    """The registry being served, swapped whole on reload; a failed reload keeps the previous one."""

    def __init__(self, repository: AppRepository, clock: Clock) -> None:
        self._repository = repository
        self._clock = clock
        self._listeners: list[Callable[[AppRegistry], Awaitable[None]]] = []
        self.current = AppRegistry([])
        self.loaded_at = 0.0
        self.last_error: str | None = None
        self.reloads = 0

    def on_change(self, listener: Callable[[AppRegistry], Awaitable[None]]) -> None:
        self._listeners.append(listener)

    async def load(self) -> AppRegistry:
        """First load: a ConfigError here stops the service."""
        registry = AppRegistry(await asyncio.to_thread(self._repository.load_all))
        for listener in self._listeners:
            await listener(registry)
        self.current, self.loaded_at, self.last_error = registry, self._clock.now(), None
        return registry

    async def reload(self) -> str | None:
        """Load again; None when the new config is being served, else why the old one still is."""
        try:
            registry = AppRegistry(await asyncio.to_thread(self._repository.load_all))
            for listener in self._listeners:
                await listener(registry)
        except DomainError as exc:
            self.last_error = exc.message
            return exc.message
        self.current, self.loaded_at, self.last_error = registry, self._clock.now(), None
        self.reloads += 1
        return None

    def status(self) -> dict[str, object]:
        return {
            "apps": sorted(a.name for a in self.current.apps),
            "loaded_at": self.loaded_at,
            "reloads": self.reloads,
            "reload_error": self.last_error,
        }
