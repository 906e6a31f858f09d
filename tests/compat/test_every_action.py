"""Every action each service declares answers over its real Unix socket (issue 13, items 5 and 6).

The services run as real processes on a real platform (SQLite and MariaDB), with Dovecot, an SMTP server and
a Mosquitto broker behind them; each declared action is called through a plain socket, as the Go seed's
clients (or any client of the protocol) would. An action added to a service without a case here fails the
test, so nothing declared can stay uncallable (as `introspect` on sogoms-db was: its result could not be
encoded). Also here: a SQL error answers the seed's `DB_ERROR`, a statement in the seed's positional form
(`?` and an `args` list) works, and a param an action does not take is refused (or kept, for the log calls).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from application.cron.actions import CRON_ACTIONS
from application.crypt.actions import CRYPT_ACTIONS
from application.inbound.imap_service import IMAP_ACTIONS
from application.inbound.service import MAILPROC_ACTIONS
from application.mail.ports import MAIL_ACTIONS
from application.ports.database import DATABASE_ACTIONS
from application.ports.logs import LOG_ACTIONS
from application.push.publish import PUSH_ACTIONS
from application.supervision.control import CONTROL_ACTIONS
from domain.schema.model import Schema
from tests.e2e.inbound.conftest import MAILBOX, Inbound, eventually
from tests.support.ipc import IpcError, ipc_call
from tests.support.mail import mail
from tests.support.mqtt import MOSQUITTO, PrivateBroker, Subscriber
from tests.support.processes import start, stop, wait_for_socket

DECLARED: dict[str, tuple[str, ...]] = {
    "db": DATABASE_ACTIONS,
    "logs": LOG_ACTIONS,
    "smtp": MAIL_ACTIONS,
    "crypt": CRYPT_ACTIONS,
    "cron": CRON_ACTIONS,
    "push": PUSH_ACTIONS,
    "mailproc": MAILPROC_ACTIONS,
    "imap": IMAP_ACTIONS,
    "sogoctl": CONTROL_ACTIONS,
}
P = {"app_id": "prokov"}


class Stack:
    def __init__(self, inbound: Inbound, broker_port: int, sogoctl_socket: Path) -> None:
        self.inbound = inbound
        self.broker_port = broker_port
        self.sogoctl_socket = sogoctl_socket
        self.called: set[tuple[str, str]] = set()

    def call(self, service: str, action: str, params: dict[str, Any] | None = None) -> Any:
        self.called.add((service, action))
        path = self.sogoctl_socket if service == "sogoctl" else self.inbound.socket(service)
        return ipc_call(path, action, params, timeout=60)

    def refused(self, service: str, action: str, params: dict[str, Any], code: str) -> str:
        try:
            self.call(service, action, params)
        except IpcError as exc:
            assert exc.code == code, (service, action, exc)
            return exc.message
        raise AssertionError(f"{service} {action} {params} was accepted")


# --- one case per declared action ------------------------------------------------------------------------------


def db_query(s: Stack) -> None:
    rows = s.call(
        "db",
        "query",
        {**P, "query": "SELECT email FROM users WHERE email LIKE ? ORDER BY email", "args": ["%@prokov.test"]},
    )
    assert {"ana@prokov.test", "ben@prokov.test"} <= {r["email"] for r in rows}
    named = s.call(
        "db", "query", {**P, "query": "SELECT email FROM users WHERE email = :e", "args": {"e": "ana@prokov.test"}}
    )
    assert named == [{"email": "ana@prokov.test"}]
    # the seed's error code for a statement the database refuses, without the SQL in it
    message = s.refused("db", "query", {**P, "query": "SELECT nope FROM no_such_table", "args": []}, "DB_ERROR")
    assert "no_such_table" not in message
    # a param the action does not take is refused, by name, not dropped
    message = s.refused("db", "query", {**P, "query": "SELECT 1", "args": [], "limit": 5}, "BAD_REQUEST")
    assert "limit" in message and "args" in message
    s.refused("db", "query", {**P, "query": "SELECT ? AS a", "args": [1, 2]}, "BAD_REQUEST")


def db_query_one(s: Stack) -> None:
    row = s.call(
        "db", "query_one", {**P, "query": "SELECT id, email FROM users WHERE email = ?", "args": ["ben@prokov.test"]}
    )
    assert row["email"] == "ben@prokov.test"
    assert s.call("db", "query_one", {**P, "query": "SELECT id FROM users WHERE email = ?", "args": ["x@y.z"]}) is None


def _ana(s: Stack) -> int:
    return int(
        s.call("db", "query_one", {**P, "query": "SELECT id FROM users WHERE email = ?", "args": ["ana@prokov.test"]})[
            "id"
        ]
    )


def db_insert(s: Stack) -> None:
    done = s.call(
        "db",
        "insert",
        {**P, "query": "INSERT INTO tags (user_id, name) VALUES (?, ?)", "args": [_ana(s), "compat-tag"]},
    )
    assert done["affected_rows"] == 1 and int(done["insert_id"]) > 0
    s.refused("db", "insert", {**P, "query": "INSERT INTO no_such_table (a) VALUES (?)", "args": [1]}, "DB_ERROR")


def db_update(s: Stack) -> None:
    done = s.call(
        "db", "update", {**P, "query": "UPDATE tags SET name = ? WHERE name = ?", "args": ["compat-tag2", "compat-tag"]}
    )
    assert done["affected_rows"] == 1


def db_delete(s: Stack) -> None:
    done = s.call("db", "delete", {**P, "query": "DELETE FROM tags WHERE name = ?", "args": ["compat-tag2"]})
    assert done["affected_rows"] == 1


def db_introspect(s: Stack) -> None:
    result = s.call("db", "introspect", P)
    schema = msgspec.convert(result, Schema)  # what the IPC client rebuilds
    assert {"users", "projects", "tasks", "tags", "statuses"} <= set(schema.tables)
    assert schema.tables["tasks"].fields["title"].type.value == "string"
    assert not any(t.startswith("sogoms_") for t in schema.tables)


def db_health(s: Stack) -> None:
    assert s.call("db", "health")["ok"] is True
    assert s.call("db", "health", P)["apps"]["prokov"]["ok"] is True


def _log_lines(s: Stack, kind: str) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for path in sorted(s.inbound.platform.paths.logs.glob(f"prokov-*-{kind}.log")):
        lines += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return lines


def logs_log_event(s: Stack) -> None:
    s.call("logs", "log_event", {**P, "event": "compat.login", "data": {"user_id": 1}})
    # a param beside the declared ones (a Go caller's, say) is kept in the entry, never silently dropped
    s.call("logs", "log_event", {**P, "event": "compat.extra", "ip": "10.0.0.9", "user_agent": "go-client"})
    entries = {e["event"]: e for e in _log_lines(s, "events") if e.get("event", "").startswith("compat.")}
    assert entries["compat.login"]["data"] == {"user_id": 1}
    assert entries["compat.extra"]["data"] == {"ip": "10.0.0.9", "user_agent": "go-client"}
    s.refused("logs", "log_event", {**P, "event": "x", "data": {"ip": "a"}, "ip": "b"}, "BAD_REQUEST")


def logs_log_error(s: Stack) -> None:
    s.call("logs", "log_error", {**P, "message": "compat warning", "level": "warn", "code": 42})
    entry = next(e for e in _log_lines(s, "errors") if e.get("message") == "compat warning")
    assert entry["level"] == "warn" and entry["data"] == {"code": 42}


def logs_health(s: Stack) -> None:
    assert s.call("logs", "health")["ok"] is True


def smtp_send(s: Stack) -> None:
    queued = s.call("smtp", "send", {**P, "to": "ana@prokov.test", "subject": "compat send", "body": "plain"})
    assert queued["status"] == "queued" and queued["message_id"]
    eventually(lambda: any(m["Subject"] == "compat send" for m in s.inbound.smtp.messages))


def smtp_send_template(s: Stack) -> None:
    queued = s.call(
        "smtp",
        "send_template",
        {**P, "template": "welcome", "to": "ben@prokov.test", "data": {"name": "Ben", "email": "ben@prokov.test"}},
    )
    assert queued["message_id"]
    eventually(lambda: any(m["To"] == "ben@prokov.test" for m in s.inbound.smtp.messages))
    s.refused(
        "smtp", "send_template", {**P, "template": "welcome", "to": "ben@prokov.test", "cc": "x@y.z"}, "BAD_REQUEST"
    )


def smtp_send_bulk(s: Stack) -> None:
    recipients = [{"to": f"bulk{i}@prokov.test", "data": {"name": f"B{i}"}} for i in range(3)]
    queued = s.call("smtp", "send_bulk", {**P, "recipients": recipients, "subject": "compat bulk", "body": "hi"})
    assert queued["queued"] == 3 and len(queued["message_ids"]) == 3


def smtp_status(s: Stack) -> None:
    queued = s.call("smtp", "send", {**P, "to": "ana@prokov.test", "subject": "compat status", "body": "b"})
    status = eventually(
        lambda: (st := s.call("smtp", "status", {**P, "message_id": queued["message_id"]}))["status"] == "sent" and st
    )
    assert status["recipient"] == "ana@prokov.test"
    s.refused("smtp", "status", {**P, "message_id": "no-such-id"}, "NOT_FOUND")


def smtp_health(s: Stack) -> None:
    assert s.call("smtp", "health")["ok"] is True


def _item(value: str) -> dict[str, str]:
    return {"table": "owners", "column": "email", "row": "1", "value": value}


def crypt_encrypt(s: Stack) -> None:
    sealed = s.call("crypt", "encrypt", {**P, "items": [_item("ana@x.test")]})
    assert sealed[0].startswith("v1:")
    single = s.call("crypt", "encrypt", {**P, "value": "v", "table": "owners", "column": "email", "row": "1"})
    assert single["value"].startswith("v1:")


def crypt_decrypt(s: Stack) -> None:
    sealed = s.call("crypt", "encrypt", {**P, "items": [_item("ana@x.test")]})[0]
    opened = s.call("crypt", "decrypt", {**P, "items": [_item(sealed)]})
    assert opened["values"] == ["ana@x.test"]


def crypt_hash(s: Stack) -> None:
    hashed = s.call("crypt", "hash", {**P, "items": [_item("ana@x.test")] * 2})
    assert hashed[0] == hashed[1] and len(hashed[0]) == 64


def crypt_rotate_status(s: Stack) -> None:
    status = s.call("crypt", "rotate_status", P)
    assert status["active"] in status["keys"] and status["rotating"] is False


def crypt_health(s: Stack) -> None:
    assert s.call("crypt", "health")["ok"] is True


def cron_list(s: Stack) -> None:
    jobs = s.call("cron", "list", P)
    assert "tasks_today" in {j["name"] for j in jobs}


def cron_trigger(s: Stack) -> None:
    result = s.call("cron", "trigger", {**P, "job": "tasks_today"})
    assert result["status"] in ("success", "done", "ok"), result
    s.refused("cron", "trigger", {**P, "job": "no_such_job"}, "NOT_FOUND")


def cron_status(s: Stack) -> None:
    runs = s.call("cron", "status", {**P, "job": "tasks_today"})
    assert runs["runs"], runs


def cron_health(s: Stack) -> None:
    assert s.call("cron", "health")["ok"] is True


def _published(s: Stack, action: str, params: dict[str, Any], topic: str) -> None:
    with Subscriber(s.broker_port, "prokov/#") as sub:
        s.call("push", action, {**P, **params, "payload": {"n": 1}})
        got = sub.get(timeout=20)
    assert got.topic == topic and got.payload == {"n": 1}


def push_publish(s: Stack) -> None:
    _published(s, "publish", {"topic": "prokov/compat"}, "prokov/compat")


def push_notify_user(s: Stack) -> None:
    _published(s, "notify_user", {"user_id": 7, "channel": "notifications"}, "prokov/user/7/notifications")


def push_broadcast(s: Stack) -> None:
    _published(s, "broadcast", {"channel": "notifications"}, "prokov/broadcast/notifications")


def push_health(s: Stack) -> None:
    eventually(lambda: s.call("push", "health")["ok"] is True)


def mailproc_parse(s: Stack) -> None:
    raw = base64.b64encode(mail(subject="Parsed", body="Hello")).decode()
    assert s.call("mailproc", "parse", {"raw": raw})["subject"] == "Parsed"


def mailproc_apply_rules(s: Stack) -> None:
    raw = base64.b64encode(mail(subject="compat rules", body="Hello")).decode()
    applied = s.call("mailproc", "apply_rules", {**P, "raw": raw, "mailbox": "tasks"})
    assert applied["status"] == "done"


def _settle_params() -> dict[str, Any]:
    return {**P, "mailbox": "tasks", "folder": "Compat", "uidvalidity": 3}


def mailproc_unsettled(s: Stack) -> None:
    assert s.call("mailproc", "unsettled", {**_settle_params(), "uids": [7, 8]})["uids"] == [7, 8]


def mailproc_settle(s: Stack) -> None:
    raw = base64.b64encode(mail(subject="compat settle")).decode()
    key = s.call("mailproc", "apply_rules", {**P, "raw": raw, "mailbox": "tasks"})["message_key"]
    s.call("mailproc", "settle", {**_settle_params(), "uid": 6, "message_key": key})
    assert s.call("mailproc", "unsettled", {**_settle_params(), "uids": [5, 6]})["uids"] == [5]


def mailproc_messages(s: Stack) -> None:
    assert s.call("mailproc", "messages", {**P, "limit": 5})["messages"]


def mailproc_retry(s: Stack) -> None:
    s.refused("mailproc", "retry", {**P, "id": 999999}, "NOT_FOUND")


def mailproc_address(s: Stack) -> None:
    ben = s.call(
        "db", "query_one", {**P, "query": "SELECT id FROM users WHERE email = ?", "args": ["ben@prokov.test"]}
    )["id"]
    assert s.call("mailproc", "address", {**P, "user_id": str(ben), "mailbox": "tasks"})["address"].startswith(
        f"tasks+{ben}."
    )


def mailproc_health(s: Stack) -> None:
    assert s.call("mailproc", "health")["ok"] is True


def _listed_uid(s: Stack, subject: str) -> int:
    s.inbound.deliver(mail(sender="nobody@elsewhere.test", subject=subject, dkim=None))
    listed = eventually(
        lambda: [m for m in s.call("imap", "list", {**P, "mailbox": "tasks"})["messages"] if m["subject"] == subject]
    )
    return int(listed[0]["uid"])


def imap_list(s: Stack) -> None:
    _listed_uid(s, "compat list")


def imap_fetch(s: Stack) -> None:
    uid = _listed_uid(s, "compat fetch")
    assert s.call("imap", "fetch", {**P, "uid": uid, "mailbox": "tasks"})["subject"] == "compat fetch"


def imap_mark_read(s: Stack) -> None:
    uid = _listed_uid(s, "compat read")
    assert s.call("imap", "mark_read", {**P, "uid": uid, "mailbox": "tasks"}) == {"marked_read": uid}


def imap_move(s: Stack) -> None:
    uid = _listed_uid(s, "compat move")
    s.call("imap", "move", {**P, "uid": uid, "to": "Archive", "mailbox": "tasks"})
    assert s.inbound.dovecot.uids(MAILBOX, "Archive")


def imap_delete(s: Stack) -> None:
    uid = _listed_uid(s, "compat delete")
    assert s.call("imap", "delete", {**P, "uid": uid, "mailbox": "tasks"}) == {"deleted": uid}


def imap_folders(s: Stack) -> None:
    assert "INBOX" in s.call("imap", "folders", {**P, "mailbox": "tasks"})["folders"]


def imap_poll(s: Stack) -> None:
    assert "woken" in s.call("imap", "poll", P)


def imap_health(s: Stack) -> None:
    assert "ok" in s.call("imap", "health")


def sogoctl_status(s: Stack) -> None:
    status = s.call("sogoctl", "status")
    assert "sogoms-logs" in json.dumps(status)


def sogoctl_health(s: Stack) -> None:
    assert s.call("sogoctl", "health")["ok"] is True


def sogoctl_reload(s: Stack) -> None:
    s.call("sogoctl", "reload", {"service": "sogoms-logs"})
    s.refused("sogoctl", "reload", {"service": "sogoms-nope"}, "NOT_FOUND")


def sogoctl_restart(s: Stack) -> None:
    s.call("sogoctl", "restart", {"service": "sogoms-logs"})


def sogoctl_stop(s: Stack) -> None:  # last: sogoctl goes away after answering
    assert s.call("sogoctl", "stop")["stopping"] is True


CASES: dict[str, Callable[[Stack], None]] = {
    f"{service}.{name[len(service) + 1 :]}": fn
    for service in DECLARED
    for name, fn in list(globals().items())
    if callable(fn) and name.startswith(f"{service}_")
}


# --- the platform ----------------------------------------------------------------------------------------------


@pytest.fixture
def stack(inbound: Inbound, tmp_path: Path) -> Iterator[Stack]:
    if MOSQUITTO is None:
        pytest.skip("mosquitto is not installed")
    broker = PrivateBroker(tmp_path / "mqtt").start()
    platform = inbound.platform
    env = {**inbound.env, "SOGOMS_MQTT_PORT": str(broker.port)}
    # sogoctl with a config of its own (one service) and a run folder of its own, beside the stack's services
    ctl_config = tmp_path / "ctl" / "config"
    ctl_run = Path(str(platform.paths.run) + "-ctl")
    ctl_run.mkdir()
    ctl_config.mkdir(parents=True)
    (ctl_config / "apps").symlink_to(platform.paths.config / "apps")
    sock = ctl_run / "sogoms-logs.1.sock"
    (ctl_config / "sogoctl.yaml").write_text(
        yaml.safe_dump(
            {
                "supervisor": {"health_interval": "0.5s", "restart_delay": "0.2s", "stop_timeout": "10s"},
                "services": {
                    "sogoms-logs": {
                        "binary": "sogoms-logs",
                        "args": ["--config", str(ctl_config), "--socket", str(sock)],
                        "health_socket": str(sock),
                    }
                },
            }
        )
    )
    procs = []
    try:
        for service, args in (("crypt", ()), ("cron", ("--db", "ipc", "--logs", "ipc")), ("push", ())):
            proc = start(f"sogoms-{service}", *args, env=env, log=platform.paths.logs / f"sogoms-{service}.out")
            procs.append(proc)
            wait_for_socket(platform.paths.socket(service), proc=proc, timeout=60)
        ctl = start(
            "sogoctl",
            "--config",
            str(ctl_config),
            env={**env, "SOGOMS_RUN_DIR": str(ctl_run)},
            log=platform.paths.logs / "sogoctl.out",
        )
        procs.append(ctl)
        wait_for_socket(ctl_run / "sogoctl.sock", proc=ctl, timeout=60)
        wait_for_socket(sock, timeout=60)
        yield Stack(inbound, broker.port, ctl_run / "sogoctl.sock")
    finally:
        for proc in reversed(procs):
            stop(proc)
        broker.stop()


def test_every_declared_action_has_a_case() -> None:
    declared = {f"{service}.{action}" for service, actions in DECLARED.items() for action in actions}
    assert declared == set(CASES), f"without a case: {sorted(declared - set(CASES))}"


def test_every_declared_action_answers_over_its_socket(stack: Stack) -> None:
    failures: list[str] = []
    for service, actions in DECLARED.items():
        for action in actions:
            case = CASES[f"{service}.{action}"]
            try:
                case(stack)
            except Exception as exc:  # noqa: BLE001 - every failure reported at once
                failures.append(f"{service}.{action}: {type(exc).__name__}: {exc}")
    # every declared action really went over the socket (a case that forgot to call its action counts as missing)
    missing = {f"{s}.{a}" for s, actions in DECLARED.items() for a in actions} - {f"{s}.{a}" for s, a in stack.called}
    assert not failures and not missing, "\n".join(failures + [f"never called: {m}" for m in sorted(missing)])
