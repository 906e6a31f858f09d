"""query_email jobs: columns declared under `decrypt:` reach the mail template in plain text; a ciphertext the job
does not declare (or that does not decrypt) fails the run instead of being mailed."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from adapters.crypt.aesgcm import AesGcmCipher
from application.cron.ports import RunContext
from application.cron.runners import QueryEmailRunner
from application.crypt.fields import FieldSealer
from application.ports.crypt import CipherItem
from domain.cron import Decrypt, Job, JobFailure, RetryPolicy
from domain.schema.model import Field, FieldType, Table
from tests.fakes.cron import FakeMailQueue
from tests.fakes.database import FakeRows
from tests.unit.cron.conftest import paris, spec

TASKS = Table(
    "tasks",
    {
        "id": Field(FieldType.INT, name="id", primary=True, auto=True),
        "description": Field(FieldType.TEXT, name="description", encrypted=True),
    },
)


class Tables:
    def table(self, app_id: str, name: str) -> Table | None:
        return TASKS if name == "tasks" else None


def ctx(**kw: object) -> RunContext:
    job = spec("0 8 * * 1-5", "query_email", query="SELECT 1", group_by="user_id", template="t", **kw)
    return RunContext(Job("shop", "job", job, RetryPolicy(), "UTC"), 1, paris(2026, 5, 4, 8, 0), None)


async def rows(cipher: AesGcmCipher) -> list[dict[str, object]]:
    sealed = await cipher.encrypt(
        "shop",
        [CipherItem("tasks", "description", "7", "water the plants"), CipherItem("tasks", "description", "8", "x")],
    )
    return [
        {"user_id": 1, "email": "a@x.test", "task_id": 7, "description": sealed[0]},
        {"user_id": 1, "email": "a@x.test", "task_id": 8, "description": sealed[1]},
    ]


async def test_declared_columns_are_decrypted_for_the_template(cipher: AesGcmCipher) -> None:
    mail = FakeMailQueue()
    runner = QueryEmailRunner(FakeRows(await rows(cipher)), mail, FieldSealer(cipher), Tables())
    await runner.run(ctx(decrypt={"description": Decrypt("tasks.description", key="task_id")}, rows_as="tasks"))
    assert [r["description"] for r in mail.sent[0].data["tasks"]] == ["water the plants", "x"]


async def test_an_undeclared_or_misbound_ciphertext_fails_the_run(cipher: AesGcmCipher) -> None:
    mail = FakeMailQueue()
    runner = QueryEmailRunner(FakeRows(await rows(cipher)), mail, FieldSealer(cipher), Tables())
    with pytest.raises(JobFailure, match="declare it under `decrypt:`"):
        await runner.run(ctx())
    with pytest.raises(JobFailure, match="cannot be decrypted"):  # bound to rows 7 and 8, read as row 1's
        await runner.run(ctx(decrypt={"description": Decrypt("tasks.description", key="user_id")}))
    with pytest.raises(JobFailure, match="not an encrypted field"):
        await runner.run(ctx(decrypt={"description": Decrypt("tasks.title", key="task_id")}))
    assert mail.sent == []


def test_decrypt_is_read_from_cron_yaml(tmp_path: Path) -> None:
    from domain.cron import JobSpec

    job = msgspec.convert(
        {
            "schedule": "0 8 * * *",
            "type": "query_email",
            "query": "SELECT 1",
            "group_by": "u",
            "template": "t",
            "decrypt": {"description": {"field": "tasks.description", "key": "task_id"}},
        },
        JobSpec,
    )
    assert job.decrypt["description"] == Decrypt("tasks.description", "task_id") and job.problems() == []
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"schedule": "* * * * *", "type": "query_email", "decrypt": {"d": {"field": "nodot"}}}, JobSpec)
