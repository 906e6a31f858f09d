"""The checks, beyond loading the app folder, that an edited email template or cron.yaml must pass.

They are sogoms-smtp's and sogoms-cron's own loaders, so a file the admin accepts is a file those services accept.
"""

from __future__ import annotations

from pathlib import Path

from adapters.admin.app_folders import Check
from adapters.schedule.cron_file import load_cron_file
from adapters.templates.files import read_template_file
from adapters.templates.jinja import compile_file


def check_email(folder: Path, file: Path) -> None:
    """Read and compile the template as sogoms-smtp does (its keys, the Jinja2 syntax of each part)."""
    del folder
    compile_file(read_template_file(file))


def check_cron(folder: Path, file: Path) -> None:
    """Load cron.yaml as sogoms-cron does (schedules, timezone, job types and their fields)."""
    load_cron_file(file, folder.name)


def extra_checks() -> dict[str, Check]:
    return {"emails/": check_email, "cron.yaml": check_cron}
