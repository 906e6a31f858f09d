"""The admin's settings (`config/admin.yaml`); every key optional."""

from __future__ import annotations

from pathlib import Path

from adapters.config.strict import load_yaml_as
from domain.admin import AdminSettings
from entrypoints.paths import Paths


def load_admin_settings(config_dir: Path) -> AdminSettings:
    path = Path(config_dir) / "admin.yaml"
    return load_yaml_as(path, AdminSettings) if path.exists() else AdminSettings()


def state_url(settings: AdminSettings, paths: Paths) -> str:
    """Where sessions and login counters live: `state_database`, else an SQLite file in SOGOMS_DATA_DIR."""
    return settings.state_database or f"sqlite+aiosqlite:///{(paths.data / 'admin.db').resolve()}"


def users_path(settings: AdminSettings, paths: Paths) -> Path:
    p = Path(settings.users_file)
    return p if p.is_absolute() else paths.secrets / p
