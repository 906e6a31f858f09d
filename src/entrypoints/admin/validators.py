"""The checks, beyond loading the app folder, that an edited email template, cron.yaml or mailrules.yaml must pass.

They are sogoms-smtp's, sogoms-cron's and sogoms-mailproc's own loaders, so a file the admin accepts is a file
those services accept.
"""

from __future__ import annotations

from pathlib import Path

from adapters.config.app_folders import Check, Statements
from adapters.config.apps import YamlAppRepository
from adapters.config.mail_rules import load_mail_rules
from adapters.schedule.cron_file import CRON_FILE, load_cron_file
from adapters.templates.files import read_template_file
from adapters.templates.jinja import compile_file


def check_email(folder: Path, file: Path) -> None:
    """Read and compile the template as sogoms-smtp does (its keys, the Jinja2 syntax of each part)."""
    del folder
    compile_file(read_template_file(file))


def check_cron(folder: Path, file: Path) -> None:
    """Load cron.yaml as sogoms-cron does (schedules, timezone, job types and their fields)."""
    load_cron_file(file, folder.name)


def check_mail_rules(folder: Path, file: Path) -> None:
    """Load mailrules.yaml as sogoms-mailproc does: patterns, templates, and the resources and mailboxes it names."""
    del file
    app = YamlAppRepository(folder.parent.parent, folder.parent.parent / "no-secrets").load(folder, with_secrets=False)
    load_mail_rules(app)


def extra_checks() -> dict[str, Check]:
    return {"emails/": check_email, "cron.yaml": check_cron, "mailrules.yaml": check_mail_rules}


def cron_statements(file: Path, app_id: str) -> frozenset[str]:
    """The SQL the jobs of a cron.yaml run, as sogoms-cron loads it (the admin checks each against db_allowlist)."""
    cron = load_cron_file(file, app_id)
    return frozenset(sql for job in cron.jobs.values() for sql in job.spec.sql())


def statement_readers() -> dict[str, Statements]:
    return {CRON_FILE: cron_statements}
