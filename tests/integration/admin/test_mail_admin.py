"""The admin's inbound mail: the rules editor refuses what sogoms-mailproc would refuse; mailboxes and outcomes."""

from __future__ import annotations

import pytest

from adapters.config.app_folders import AppFolderFiles, YamlAppCatalog
from adapters.config.apps import YamlAppRepository
from application.admin.audit import Auditor
from application.admin.mail import MailAdmin
from domain.errors import ConfigError, Forbidden
from entrypoints.admin.validators import extra_checks, statement_readers
from tests.fakes.admin import FakeInboundControl

from .conftest import ANN, EDITOR

RULES = "apps/prokov/mailrules.yaml"


def rules(platform) -> str:
    return (platform.paths.config / "apps" / "prokov" / "mailrules.yaml").read_text()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (('to: "tasks@prokov.localhost"', 'to: "re:([a-z"'), "rules[0].match.to"),
        (("resource: tasks", "resource: invoices"), "rules[0].actions[1].create.resource"),
        (("template: task_created", "template: nowhere"), "rules[0].actions[2].reply.template"),
        (
            ("title: \"{{ subject[:200] or '(no subject)' }}\"", 'title: "{{ subject[:200] "'),
            "rules[0].actions[1].create",
        ),
        (("mailbox: tasks", "mailbox: sales"), "rules[0].mailbox"),
        (("unknown: refuse", "unknown: shrug"), "senders.unknown"),
        (("  secret_address: true\n", "  secret_adress: true\n"), "secret_adress"),
    ],
)
async def test_a_rules_file_the_service_would_refuse_is_refused_and_nothing_changes(admin, change, named) -> None:
    before = rules(admin.platform)
    broken = before.replace(*change)
    assert broken != before
    with pytest.raises(ConfigError) as err:
        await admin.editor.save(EDITOR, "prokov", "mail", "mailrules", broken)
    assert RULES in err.value.message and named in err.value.message, err.value.message
    assert rules(admin.platform) == before
    assert admin.control.reloaded == []


async def test_known_senders_without_any_way_to_prove_them_are_refused(admin) -> None:
    text = rules(admin.platform)
    start, end = text.index("  authentication_results:"), text.index("  unknown:")
    with pytest.raises(ConfigError, match="a From header proves nothing"):
        await admin.editor.save(EDITOR, "prokov", "mail", "mailrules", text[:start] + text[end:])


async def test_a_valid_rules_file_is_saved_and_mailproc_reloads(admin) -> None:
    text = rules(admin.platform).replace("max_attempts: 8", "max_attempts: 5")
    saved = await admin.editor.save(EDITOR, "prokov", "mail", "mailrules", text)
    assert saved.warnings == [] and rules(admin.platform) == text
    assert admin.control.reloaded == ["sogoms-mailproc"]


async def test_reading_the_rules_needs_the_mail_permission(admin) -> None:
    with pytest.raises(Forbidden):
        await admin.editor.read(ANN, "prokov", "mail", "mailrules")


def mail_admin(admin, inbound: FakeInboundControl) -> MailAdmin:
    paths = admin.platform.paths
    catalog = YamlAppCatalog(YamlAppRepository(paths.config, paths.secrets), paths.config)
    return MailAdmin(
        catalog,
        AppFolderFiles(paths.config, paths.secrets, extra_checks(), statement_readers()),
        inbound,
        Auditor(admin.logs),
    )


async def test_the_overview_shows_each_mailbox_its_watcher_and_the_last_outcomes(admin) -> None:
    inbound = FakeInboundControl(
        watchers=[
            {"app": "prokov", "mailbox": "tasks", "folder": "INBOX", "connected": True, "idle": True, "processed": 3},
            {"app": "koprogo", "mailbox": "x", "folder": "INBOX", "connected": False},
        ],
        messages=[{"id": 1, "from": "ana@prokov.test", "subject": "Paint", "status": "done", "received_at": 1.0e9}],
    )
    view = await mail_admin(admin, inbound).overview(EDITOR, "prokov")
    (box,) = view.mailboxes
    assert box["name"] == "tasks" and box["user"] == "tasks@prokov.localhost"
    assert box["folders"] == [
        {"folder": "INBOX", "app": "prokov", "mailbox": "tasks", "connected": True, "idle": True, "processed": 3}
    ]
    assert view.messages[0]["received"] == "2001-09-09 01:46:40 UTC" and view.has_rules and view.errors == []


async def test_services_down_are_said_not_fatal(admin) -> None:
    inbound = FakeInboundControl()
    inbound.down = True
    view = await mail_admin(admin, inbound).overview(EDITOR, "prokov")
    assert view.mailboxes and view.messages == []
    assert view.errors == ["sogoms-imap: the service is unavailable", "sogoms-mailproc: the service is unavailable"]


async def test_retry_needs_mail_write_and_is_audited(admin) -> None:
    inbound = FakeInboundControl()
    mail = mail_admin(admin, inbound)
    with pytest.raises(Forbidden):
        await mail.retry(ANN, "prokov", 7)
    await mail.retry(EDITOR, "prokov", 7)
    assert inbound.retried == [("prokov", 7)]
    assert admin.logs.audit("admin.retry_mail")[-1][2]["message"] == 7
