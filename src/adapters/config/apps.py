"""Load every app folder under `config/apps/` into checked domain `App` objects."""

from __future__ import annotations

from pathlib import Path

from adapters.crypt.keyring import check_keys
from domain.app import App, AppSettings
from domain.auth import AuthQueries, derive_auth_queries
from domain.errors import ConfigError
from domain.identifiers import check_identifier
from domain.query.files import ResourceQueries
from domain.schema.model import Table

from .schema_file import load_schema
from .secrets import read_jwt_secret
from .strict import load_yaml_as


class YamlAppRepository:
    """Implements AppRepository over `{config_dir}/apps/{app}/`."""

    def __init__(self, config_dir: Path, secrets_dir: Path, env: dict[str, str] | None = None) -> None:
        self._apps_dir = Path(config_dir) / "apps"
        self._secrets_dir = Path(secrets_dir)
        self._env = env

    def app_dirs(self) -> list[Path]:
        if not self._apps_dir.is_dir():
            raise ConfigError(f"{self._apps_dir}: apps folder not found")
        return sorted(p for p in self._apps_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))

    def load_all(self) -> list[App]:
        return [self.load(d) for d in self.app_dirs()]

    def load_settings(self, folder: Path) -> AppSettings:
        settings = load_yaml_as(folder / "app.yaml", AppSettings, self._env)
        if settings.app != folder.name:
            raise ConfigError(
                f"{folder / 'app.yaml'}: at `app`: {settings.app!r} must match its folder name {folder.name!r}"
            )
        return settings

    def load(self, folder: Path, *, with_secrets: bool = True) -> App:
        settings = self.load_settings(folder)
        resources, auth = self._queries(folder)
        schema = load_schema(folder / "schema.yaml", self._env) if (folder / "schema.yaml").exists() else None
        if auth is None and schema is not None:
            try:
                auth = derive_auth_queries(schema)
            except ValueError as exc:
                raise ConfigError(f"{folder / 'schema.yaml'}: {exc}") from None
        secret = read_jwt_secret(self._secrets_dir, settings.jwt_secret_file, settings.app) if with_secrets else b""
        if with_secrets and schema is not None:
            encrypted = [f"{t.name}.{n}" for t in schema.tables.values() for n in t.encrypted]
            blind = [f"{t.name}.{n}" for t in schema.tables.values() for n in t.encrypted if t.fields[n].blind_index]
            if encrypted:
                check_keys(self._secrets_dir, settings, encrypted[0], blind[0] if blind else None)
        for name in settings.auth.login_include:
            if name not in resources and (schema is None or name not in schema.tables):
                raise ConfigError(
                    f"{folder / 'app.yaml'}: at `auth.login_include`: unknown resource {name!r} "
                    "(no queries file and no schema table by that name)"
                )
        return App(
            settings=settings,
            resources=resources,
            auth=auth,
            jwt_secret=secret,
            schema=schema,
            folder=str(folder),
        )

    def _queries(self, folder: Path) -> tuple[dict[str, ResourceQueries], AuthQueries | None]:
        qdir = folder / "queries"
        resources: dict[str, ResourceQueries] = {}
        auth: AuthQueries | None = None
        if not qdir.is_dir():
            return resources, auth
        for path in sorted(qdir.glob("*.yaml")):
            name = path.stem
            if name == "auth":
                auth = load_yaml_as(path, AuthQueries, self._env)
                continue
            try:
                check_identifier(name, "resource")
            except ValueError as exc:
                raise ConfigError(f"{path}: {exc}") from None
            rq = load_yaml_as(path, ResourceQueries, self._env)
            if not rq.operations():
                raise ConfigError(f"{path}: declares none of list, show, create, update, delete")
            resources[name] = rq
        return resources, auth


class YamlAppTables:
    """Implements application.cron.runners.AppTables: a table of an app's schema.yaml, read when asked (jobs are
    rare, and an edited schema is seen at once)."""

    def __init__(self, config_dir: Path | str, secrets_dir: Path | str) -> None:
        self._repo = YamlAppRepository(Path(config_dir), Path(secrets_dir))
        self._config = Path(config_dir)

    def table(self, app_id: str, name: str) -> Table | None:
        app = self._repo.load(self._config / "apps" / app_id, with_secrets=False)
        return app.schema.table(name) if app.schema is not None else None
