"""Editing an app's files: a broken file is refused with the loader's message and nothing changes."""

from __future__ import annotations

import pytest

from domain.errors import ConfigError, Forbidden, InvalidInput

from .conftest import ANN, EDITOR

GOOD = """list:
  query: SELECT id, title FROM tasks
  filters: {default: "user_id = :user_id", admin: ""}
"""


async def test_a_broken_query_file_is_refused_and_the_running_file_stays(admin) -> None:
    path = admin.platform.paths.config / "apps" / "prokov" / "queries" / "tasks.yaml"
    before = path.read_text()
    with pytest.raises(ConfigError) as err:
        await admin.editor.save(EDITOR, "prokov", "queries", "tasks", "list:\n  query: SELECT 1\n  bogus_key: 1\n")
    assert "bogus_key" in err.value.message
    assert "apps/prokov/queries/tasks.yaml" in err.value.message
    assert "sogoms-admin-check" not in err.value.message  # the temporary copy's path is not shown
    assert path.read_text() == before
    assert admin.control.reloaded == []
    assert admin.logs.audit("admin.edit_queries")[-1][2]["outcome"] == "invalid"


async def test_invalid_yaml_is_refused_with_its_line(admin) -> None:
    with pytest.raises(ConfigError, match="invalid YAML"):
        await admin.editor.save(EDITOR, "prokov", "queries", "tasks", "list: [unclosed\n")


async def test_a_valid_file_replaces_the_old_one_and_reloads_the_gateway(admin) -> None:
    saved = await admin.editor.save(EDITOR, "prokov", "queries", "tasks", GOOD)
    path = admin.platform.paths.config / "apps" / "prokov" / "queries" / "tasks.yaml"
    assert path.read_text() == GOOD
    assert saved.warnings == []
    assert admin.control.reloaded == ["sogoway"]
    assert await admin.editor.read(EDITOR, "prokov", "queries", "tasks") == GOOD
    entry = admin.logs.audit("admin.edit_queries")[-1]
    assert entry[0] == "prokov" and entry[2]["user"] == "ed" and entry[2]["outcome"] == "ok"


async def test_a_new_query_file_can_be_created(admin) -> None:
    await admin.editor.save(EDITOR, "prokov", "queries", "projects", GOOD.replace("tasks", "projects"))
    assert "projects" in await admin.editor.names(EDITOR, "prokov", "queries")


async def test_reload_failure_is_reported_not_hidden(admin) -> None:
    admin.control.down = True
    saved = await admin.editor.save(EDITOR, "prokov", "queries", "tasks", GOOD)
    assert saved.warnings == ["sogoway was not reloaded: sogoctl is unavailable"]


async def test_read_only_permission_cannot_save_and_the_refusal_is_audited(admin) -> None:
    assert await admin.editor.read(ANN, "prokov", "queries", "tasks")
    with pytest.raises(Forbidden):
        await admin.editor.save(ANN, "prokov", "queries", "tasks", GOOD)
    assert admin.logs.audit("admin.edit_queries")[-1][2]["outcome"] == "forbidden"


async def test_another_apps_files_are_refused(admin) -> None:
    with pytest.raises(Forbidden):
        await admin.editor.read(ANN, "koprogo", "queries", "expenses")
    with pytest.raises(Forbidden):
        await admin.editor.save(EDITOR, "koprogo", "queries", "expenses", GOOD)


@pytest.mark.parametrize("name", ["../app", "a/b", "Tasks", "", ".hidden"])
async def test_file_names_cannot_leave_the_folder(admin, name: str) -> None:
    with pytest.raises(InvalidInput):
        await admin.editor.save(EDITOR, "prokov", "queries", name, GOOD)


async def test_schema_edit_is_checked_by_the_schema_loader(admin) -> None:
    bad = "tables:\n  tasks:\n    fields:\n      id: {type: nope}\n"
    with pytest.raises(ConfigError, match=r"schema\.yaml"):
        await admin.editor.save(EDITOR, "prokov", "schema", "schema", bad)


async def test_an_email_template_with_a_jinja_error_is_refused_with_its_line(admin) -> None:
    path = admin.platform.paths.config / "apps" / "prokov" / "emails" / "welcome.yaml"
    before = path.read_text()
    bad = "subject: Hello {{ name }\nbody: |\n  Hi {% if name %}{{ name }}\n"
    with pytest.raises(ConfigError) as err:
        await admin.editor.save(EDITOR, "prokov", "emails", "welcome", bad)
    assert "apps/prokov/emails/welcome.yaml" in err.value.message and "line" in err.value.message
    assert path.read_text() == before
    good = "subject: Hello {{ name }}\nbody: |\n  Hi {{ name }}\n"
    await admin.editor.save(EDITOR, "prokov", "emails", "welcome", good)
    assert path.read_text() == good


async def test_a_cron_file_with_a_bad_schedule_is_refused(admin) -> None:
    path = admin.platform.paths.config / "apps" / "prokov" / "cron.yaml"
    before = path.read_text()
    bad = before.replace('schedule: "0 8 * * 1-5"', 'schedule: "61 8 * * *"')
    assert bad != before
    with pytest.raises(ConfigError, match="schedule"):
        await admin.editor.save(EDITOR, "prokov", "cron", "cron", bad)
    assert path.read_text() == before
    await admin.editor.save(EDITOR, "prokov", "cron", "cron", before.replace("0 8 * * 1-5", "30 7 * * 1-5"))
    assert "30 7 * * 1-5" in path.read_text()
