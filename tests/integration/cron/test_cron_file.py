"""cron.yaml in the seed's format: decoded into jobs, every mistake named with its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.schedule.cron_file import load_all_crons, load_cron_file
from domain.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]

SEED = """
timezone: Europe/Paris
retry:
  max_attempts: 3
  delay: 5m
history_days: 7

jobs:
  tasks_today:
    schedule: "0 8 * * 1-5"    # 8h00 lun-ven
    type: query_email
    query: |
      SELECT u.id AS user_id, u.email FROM users u
    group_by: user_id
    template: tasks_today
    enabled: true
  ping:
    schedule: "*/15 * * * *"
    type: http
    url: ${PING_URL:-https://status.example.com/ping}
    method: POST
    body: {source: sogoms}
    retry: {max_attempts: 1}
  digest:
    schedule: "@weekly"
    type: service
    service: smtp
    action: send
    params: {to: ops@example.com, subject: Weekly, body: "All good"}
    enabled: false
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cron.yaml"
    path.write_text(text)
    return path


def test_the_seeds_format_loads(tmp_path):
    cron = load_cron_file(write(tmp_path, SEED), "prokov", env={"PING_URL": "https://hooks.example.org/p"})
    assert (cron.timezone, cron.history_days, cron.grace_seconds) == ("Europe/Paris", 7, 3600)
    tasks, ping, digest = cron.jobs["tasks_today"], cron.jobs["ping"], cron.jobs["digest"]
    assert (tasks.retry.max_attempts, tasks.retry.delay_seconds) == (3, 300)
    assert ping.retry.max_attempts == 1 and ping.spec.url == "https://hooks.example.org/p"
    assert ping.spec.body == {"source": "sogoms"}
    assert digest.schedule == "0 0 * * 0" and not digest.enabled


def test_a_missing_file_means_no_jobs(tmp_path):
    assert load_cron_file(tmp_path / "cron.yaml", "prokov").jobs == {}


def test_the_shipped_prokov_file_loads():
    cron = load_cron_file(ROOT / "config/apps/prokov/cron.yaml", "prokov")
    job = cron.jobs["tasks_today"]
    assert (job.schedule, job.spec.group_by, job.spec.template, job.timezone) == (
        "0 8 * * 1-5",
        "user_id",
        "tasks_today",
        "Europe/Paris",
    )
    assert ":today" in job.spec.query and "CURDATE" not in job.spec.query
    assert set(load_all_crons(ROOT / "config")) >= {"prokov", "koprogo"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jobs:\n  a: {schedule: '0 25 * * *', type: http, url: 'https://x.y'}", "at `jobs.a.schedule`: invalid cron"),
        (
            "jobs:\n  a: {schedule: '0 0 31 2 *', type: http, url: 'https://x.y'}",
            "at `jobs.a.schedule`: cron expression '0 0 31 2 *' never fires",
        ),
        ("jobs:\n  a: {schedule: '* * * * *', type: shell}", "at `jobs.a.type`: unknown job type 'shell'"),
        ("timezone: Mars/Olympus\njobs: {}", "at `timezone`: unknown timezone 'Mars/Olympus'"),
        (
            "jobs:\n  a: {schedule: '* * * * *', type: http, url: 'https://x.y', tempo: 3}",
            "in `jobs.a`: unknown key `tempo`",
        ),
        (
            "jobs:\n  a: {schedule: '* * * * *', type: http, url: 'https://x.y', template: t}",
            "at `jobs.a.template`: does not apply to a http job",
        ),
        ("jobs:\n  a: {type: http, url: 'https://x.y'}", "at `jobs.a`: `schedule` is required"),
        (
            "jobs:\n  a: {schedule: '* * * * *', type: http, url: 'https://x.y', retry: {max_attempts: 0}}",
            "in `jobs.a`: at `retry`",
        ),
        (
            "jobs:\n  a: {schedule: '* * * * *', type: http, url: 'https://x.y', enabled: maybe}",
            "in `jobs.a`: at `enabled`",
        ),
        ("retry: {max_attempts: 2, delay: soon}\njobs: {}", "at `retry`"),
        ("grace: forever\njobs: {}", "grace: expected a duration"),
        ("jobs:\n  a: 3", "at `jobs.a`: expected a mapping"),
        ("jobs: [a, b]", "at `jobs`"),
        ("colour: blue", "unknown key `colour`"),
    ],
)
def test_mistakes_name_the_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_cron_file(path, "prokov")
    assert str(path) in err.value.message
    assert expected in err.value.message
