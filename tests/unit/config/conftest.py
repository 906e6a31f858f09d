"""An app folder written into tmp_path: app.yaml, queries, and a secrets dir, for the config loader."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.config.apps import YamlAppRepository
from domain.app import App

SECRET = b"s" * 40

APP_YAML = """\
app: shop
version: "2.1"
base_path: /api
hosts: [shop.test, Shop.Example.com]
database:
  url: ${SHOP_DATABASE_URL:-sqlite+aiosqlite:///var/data/shop.db}
  pool_size: 4
auth:
  jwt_secret_file: shop_jwt
  jwt_expiry: 2h
  refresh_expiry: 7d
  login_include: [projects]
smtp: {host: mail.test, port: 465, from: noreply@shop.test, from_name: Shop, tls: true}
logs: {retention_days: 12}
"""

PROJECTS_YAML = """\
list:
  query: SELECT id, name FROM projects
  filters: {default: "user_id = :user_id", admin: ""}
  order: "position ASC"
show:
  query: SELECT id, name FROM projects WHERE id = :id
  filters: {default: "user_id = :user_id"}
create: {table: projects, fields: [user_id, name, position]}
delete: {table: projects, filters: {default: "user_id = :user_id"}}
"""

AUTH_YAML = """\
login: {query: "SELECT id, email, name, role, password FROM users WHERE email = :email"}
me: {query: "SELECT id, email, name, role FROM users WHERE id = :user_id"}
register: {table: users, fields: [email, name, password], required: [email, password]}
"""


@dataclass
class AppFolder:
    root: Path
    secrets: Path
    env: dict[str, str]

    @property
    def folder(self) -> Path:
        return self.root / "apps" / "shop"

    def write(self, relative: str, text: str) -> Path:
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def repo(self) -> YamlAppRepository:
        return YamlAppRepository(self.root, self.secrets, self.env)

    def load(self) -> App:
        return self.repo().load(self.folder)


@pytest.fixture
def shop(tmp_path: Path) -> AppFolder:
    """A valid app `shop` with a `projects` query file, an auth file and its JWT secret."""
    folder = AppFolder(tmp_path / "config", tmp_path / "secrets", {})
    folder.write("app.yaml", APP_YAML)
    folder.write("queries/projects.yaml", PROJECTS_YAML)
    folder.write("queries/auth.yaml", AUTH_YAML)
    folder.secrets.mkdir()
    (folder.secrets / "shop_jwt").write_bytes(SECRET + b"\n")
    return folder
