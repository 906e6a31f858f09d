"""Steps for features/cron/trigger.feature: the `sogoms cron` CLI against a running sogoms-cron."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from entrypoints.cli.main import main as sogoms
from tests.support.cron import hold_scheduled_firings, running_cron

pytestmark = pytest.mark.usefixtures("platform")  # so each scenario runs on SQLite and on MariaDB
scenarios("cron/trigger.feature")


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def world() -> dict:
    return {}


@pytest.fixture
def cron_service(platform):
    hold_scheduled_firings(platform)  # only the admin's trigger runs the job during the scenario
    with running_cron(platform) as (_, smtp):
        yield smtp


@given(parsers.parse('the app "{app}" with its demo data and sogoms-cron running'))
def cron_running(platform, cron_service, world, app):
    assert app in platform.urls
    world["smtp"] = cron_service


@when(parsers.parse('the admin runs "{command}"'), target_fixture="outcome")
def admin_runs(command, capsys, world):
    argv = shlex.split(command)
    assert argv[0] == "sogoms"
    capsys.readouterr()
    code = sogoms(argv[1:])
    captured = capsys.readouterr()
    world.setdefault("runs", []).append(captured.out)
    return Outcome(code, captured.out, captured.err)


@then(parsers.parse('the command succeeds and says "{text}"'))
def succeeds(outcome, text, world):
    assert outcome.code == 0, outcome.err
    assert text in outcome.out
    world["run_id"] = re.search(r"^run (\d+) of", outcome.out, re.M).group(1)  # type: ignore[union-attr]


@then(parsers.parse('the command fails and says "{text}"'))
def fails(outcome, text):
    assert outcome.code == 2
    assert text in outcome.err


@then(parsers.parse('"{email}" is mailed the tasks "{titles}"'))
def mailed(world, email, titles):
    mails = [c for c in world["smtp"].of("send_template") if c["to"] == email]
    assert len(mails) == 1
    assert [t["title"] for t in mails[0]["data"]["tasks"]] == titles.split(", ")


@then(parsers.parse('the history shows that run as "{kind}" and "{status}"'))
def history_shows(outcome, world, kind, status):
    assert outcome.code == 0, outcome.err
    lines = outcome.out.splitlines()
    assert lines[0].split()[:4] == ["RUN", "JOB", "KIND", "STATUS"]
    assert lines[1].split()[:4] == [world["run_id"], "tasks_today", kind, status]
