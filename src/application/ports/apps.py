"""Where app definitions come from (the config folder)."""

from __future__ import annotations

from typing import Protocol

from domain.app import App


class AppRepository(Protocol):
    def load_all(self) -> list[App]:
        """Every app, fully checked; ConfigError naming the file and key on the first problem."""
        ...
