"""Load `config/apps/{app}/cron.yaml` into a checked AppCron; every problem names the file and the key."""

from __future__ import annotations

from pathlib import Path

from adapters.config.strict import convert, read_yaml
from domain.cron import AppCron, CronFile, JobSpec
from domain.errors import ConfigError

from .croniter_schedule import check_expression, zone

CRON_FILE = "cron.yaml"


def load_cron_file(path: Path, app: str, env: dict[str, str] | None = None) -> AppCron:
    """The app's jobs; a missing file means no jobs. ConfigError on any problem."""
    if not path.exists():
        return AppCron(app)
    data = read_yaml(path, env)
    file = convert({} if data is None else data, CronFile, str(path))
    try:
        zone(file.timezone)
    except ValueError as exc:
        raise ConfigError(f"{path}: at `timezone`: {exc}") from None
    specs: dict[str, JobSpec] = {}
    for name, raw in file.jobs.items():
        key = f"jobs.{name}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{path}: at `{key}`: expected a mapping (schedule, type, ...)")
        if "schedule" not in raw or "type" not in raw:
            missing = "schedule" if "schedule" not in raw else "type"
            raise ConfigError(f"{path}: at `{key}`: `{missing}` is required")
        spec = convert(raw, JobSpec, f"{path}: in `{key}`")
        problems = spec.problems()
        if not problems:
            try:
                check_expression(spec.schedule)
            except ValueError as exc:
                problems = [("schedule", str(exc))]
        if problems:
            sub, message = problems[0]
            raise ConfigError(f"{path}: at `{key}.{sub}`: {message}")
        specs[name] = spec
    return AppCron.from_file(app, file, specs)


def load_all_crons(config_dir: Path, env: dict[str, str] | None = None) -> dict[str, AppCron]:
    """Every app folder's cron.yaml (apps without one have no jobs)."""
    apps_dir = Path(config_dir) / "apps"
    if not apps_dir.is_dir():
        raise ConfigError(f"{apps_dir}: apps folder not found")
    folders = sorted(p for p in apps_dir.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    return {f.name: load_cron_file(f / CRON_FILE, f.name, env) for f in folders}
