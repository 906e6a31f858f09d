"""The jobs currently configured, per app; replaced whole on reload."""

from __future__ import annotations

from collections.abc import Mapping

from domain.cron import AppCron, Job
from domain.errors import NotFound


class CronCatalog:
    def __init__(self, crons: Mapping[str, AppCron] | None = None) -> None:
        self._crons: dict[str, AppCron] = dict(crons or {})

    def replace(self, crons: Mapping[str, AppCron]) -> None:
        self._crons = dict(crons)

    @property
    def apps(self) -> dict[str, AppCron]:
        return dict(self._crons)

    def app(self, app_id: str) -> AppCron:
        cron = self._crons.get(app_id)
        if cron is None:
            raise NotFound(f"Unknown app {app_id!r}")
        return cron

    def job(self, app_id: str, name: str) -> Job:
        cron = self.app(app_id)
        job = cron.jobs.get(name)
        if job is None:
            known = ", ".join(sorted(cron.jobs)) or "none"
            raise NotFound(f"App {app_id!r} has no job {name!r} (jobs: {known})")
        return job
