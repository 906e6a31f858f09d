"""prokov's shipped `tasks_today` job on the demo data: one mail per user with that user's due tasks.

The mails go to a recording stand-in for sogoms-smtp served by a real IpcServer on a socket; the
database is reached in-process or through a real sogoms-db process.
"""

from __future__ import annotations

import pytest

from adapters.config.apps import YamlAppRepository
from adapters.ipc.client import IpcClient
from adapters.ipc.database import IpcDatabase
from adapters.ipc.dispatch import actions_of
from adapters.ipc.mail import IpcMailer
from adapters.ipc.server import IpcServer
from adapters.schedule.cron_file import load_cron_file
from adapters.schedule.croniter_schedule import CroniterSchedule
from adapters.sql.cron_store import SqlCronStore
from adapters.sql.database import SqlAlchemyDatabase
from application.cron.actions import CronActions
from application.cron.catalog import CronCatalog
from application.cron.runners import QueryEmailRunner
from application.cron.runs import RunExecutor
from application.cron.scheduler import Scheduler
from application.crypt.fields import FieldSealer
from domain.cron import JobType
from tests.fakes.clock import FakeClock
from tests.fakes.logs import FakeLogSink
from tests.fakes.services import SMTP_ACTIONS, FakeSmtpService
from tests.unit.cron.conftest import paris


@pytest.fixture
async def cron(platform, transport, request, tmp_path):
    if transport == "ipc":
        request.getfixturevalue("services")
        database: IpcDatabase | SqlAlchemyDatabase = IpcDatabase(
            IpcClient(platform.paths.socket("db"), service="sogoms-db", timeout=30)
        )
    else:
        repo = YamlAppRepository(platform.paths.config, platform.paths.secrets)
        settings = repo.load_settings(platform.paths.config / "apps" / "prokov").database
        database = SqlAlchemyDatabase(platform.paths.secrets, {"prokov": settings})
    smtp = FakeSmtpService()
    socket = tmp_path / "sogoms-smtp.1.sock"
    server = IpcServer(socket, actions_of(smtp, SMTP_ACTIONS), name="fake-smtp")
    await server.start()
    mail = IpcMailer(IpcClient(socket, service="sogoms-smtp"))
    clock = FakeClock(0)
    store = SqlCronStore(database)
    executor = RunExecutor(
        store, {JobType.QUERY_EMAIL: QueryEmailRunner(database, mail, FieldSealer())}, clock, clock, FakeLogSink(), "t"
    )
    catalog = CronCatalog({"prokov": load_cron_file(platform.paths.config / "apps/prokov/cron.yaml", "prokov")})
    scheduler = Scheduler(catalog, executor, CroniterSchedule(), clock, clock, store)
    actions = CronActions(catalog, executor, store, CroniterSchedule(), clock, scheduler)
    try:
        yield clock, scheduler, actions, smtp
    finally:
        await mail.close()
        await server.close(1.0)
        await database.close()


def mails(smtp: FakeSmtpService) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for call in smtp.of("send_template"):
        assert (call["app_id"], call["template"]) == ("prokov", "tasks_today")
        assert call["to"] not in out, "one mail per user"
        out[call["to"]] = [t["title"] for t in call["data"]["tasks"]]
    return out


async def test_tasks_today_mails_each_user_their_due_tasks(cron):
    clock, scheduler, actions, smtp = cron
    clock.set(paris(2025, 2, 3, 8, 0))  # a Monday: Ana's two open tasks are due, Ben's is due in March
    await scheduler.tick()
    await scheduler.idle()
    assert mails(smtp) == {"ana@prokov.test": ["Order tiles", "Book the scaffolding"]}
    ana = smtp.of()[0]["data"]
    assert (ana["user_name"], ana["email"], ana["user_id"]) == ("Ana", "ana@prokov.test", 1)
    assert ana["rows"] == ana["tasks"]
    assert [t["project_name"] for t in ana["tasks"]] == ["Roof", "Roof"]
    assert [str(t["date_end"])[:10] for t in ana["tasks"]] == ["2025-01-15", "2025-02-01"]

    smtp.calls.clear()
    clock.set(paris(2025, 3, 10, 8, 0))  # a Monday after Ben's due date; the done task never appears
    await scheduler.tick()
    await scheduler.idle()
    assert mails(smtp) == {
        "ana@prokov.test": ["Order tiles", "Book the scaffolding"],
        "ben@prokov.test": ["Buy apple trees"],
    }
    history = await actions.status("prokov", "tasks_today")  # February's run is past history_days (7): purged
    assert [(r["status"], r["kind"], r["result"]["mails"]) for r in history["runs"]] == [("success", "schedule", 2)]
    assert history["runs"][0]["scheduled_for"] == "2025-03-10T07:00:00Z"


async def test_a_manual_trigger_uses_todays_date(cron):
    clock, _, actions, smtp = cron
    clock.set(paris(2025, 2, 2, 21, 30))  # a Sunday evening: no scheduled firing, but a run by hand
    run = await actions.trigger("prokov", "tasks_today")
    assert (run["status"], run["kind"], run["result"]["mails"]) == ("success", "manual", 1)
    assert mails(smtp) == {"ana@prokov.test": ["Order tiles", "Book the scaffolding"]}
