"""Reload through sogoctl: a new app folder is served while another app is under load, with no error;
a reload that fails keeps the previous config and `sogoctl` says why."""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import threading

import httpx

from tests.e2e.supervisor.conftest import Sogoctl, wait_until
from tests.support.api import DEMO_PASSWORDS
from tests.support.processes import BIN


def add_app(ctl: Sogoctl, name: str) -> None:
    """A copy of prokov served on `{name}.localhost`, its own SQLite database and secret, migrated."""
    apps = ctl.platform.paths.config / "apps"
    shutil.copytree(apps / "prokov", apps / name)
    (apps / name / "cron.yaml").unlink(missing_ok=True)
    text = (apps / name / "app.yaml").read_text()
    text = text.replace("app: prokov", f"app: {name}").replace(
        "hosts: [prokov.localhost, prokov.example.com]", f"hosts: [{name}.localhost]"
    )
    text = re.sub(r"url: .*", f"url: sqlite+aiosqlite:///{ctl.platform.root / (name + '.db')}", text)
    text = text.replace("jwt_secret_file: prokov_jwt_secret", f"jwt_secret_file: {name}_jwt_secret")
    (apps / name / "app.yaml").write_text(text)
    for args in (["secrets", "init", name], ["schema", "migrate", name, "--apply"]):
        done = subprocess.run([str(BIN / "sogoms"), *args], env=ctl.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


def login(ctl: Sogoctl, host: str, email: str) -> httpx.Response:
    return httpx.post(
        ctl.url("/api/auth/login"),
        json={"email": email, "password": DEMO_PASSWORDS[email]},
        headers={"Host": host},
        timeout=10,
    )


class Load:
    """A few threads sending authenticated requests to koprogo (bounded), keeping every status."""

    def __init__(self, ctl: Sogoctl, threads: int = 4, limit: int = 3000) -> None:
        token = login(ctl, "koprogo.localhost", "syndic@jardins.test").json()["data"]["token"]
        self.headers = {"Host": "koprogo.localhost", "Authorization": f"Bearer {token}"}
        self.ctl, self.limit = ctl, limit
        self.statuses: list[int] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        with httpx.Client(timeout=10) as client:
            for n in range(self.limit):
                if self._stop.is_set():
                    return
                path = "/api/auth/me" if n % 2 else "/api/buildings"
                try:
                    r = client.get(self.ctl.url(path), headers=self.headers)
                    self.statuses.append(r.status_code)
                    if r.status_code != 200:
                        self.errors.append(f"{path}: {r.status_code} {r.text[:200]}")
                except httpx.HTTPError as exc:
                    self.errors.append(f"{path}: {exc!r}")

    @property
    def running(self) -> bool:
        return all(t.is_alive() for t in self._threads)

    def __enter__(self) -> Load:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)


def test_a_new_app_is_served_after_reload_while_another_app_under_load_sees_no_error(sogoctl: Sogoctl):
    assert login(sogoctl, "demo3.localhost", "ana@prokov.test").status_code == 404  # UNKNOWN_APP
    add_app(sogoctl, "demo3")
    with Load(sogoctl) as load:
        wait_until(lambda: len(load.statuses) >= 20, 30, "load running")
        db = sogoctl.cli("reload", "sogoms-db")
        assert db.returncode == 0, db.stdout + db.stderr
        gateway = sogoctl.cli("reload", "sogoway")
        assert gateway.returncode == 0, gateway.stdout + gateway.stderr
        assert re.match(r"sogoway: SIGHUP sent to pid \d+; now RUNNING, ok$", gateway.stdout.strip())
        response = wait_until(
            lambda: (r := login(sogoctl, "demo3.localhost", "ana@prokov.test")).status_code == 200 and r,
            15,
            "demo3 served",
        )
        served = len(load.statuses)
        wait_until(lambda: len(load.statuses) >= served + 20, 30, "more load after the reload")
        assert load.running  # the load lasted through both reloads
    assert response.json()["data"]["user"]["email"] == "ana@prokov.test"
    assert load.errors == []
    assert set(load.statuses) == {200}
    status = sogoctl.status()["sogoway"]
    assert status["restarts"] == 0 and "demo3" in status["health"]["detail"]["config"]["apps"]


def test_a_failed_reload_keeps_the_previous_config_and_status_says_why(sogoctl: Sogoctl):
    broken = sogoctl.platform.paths.config / "apps" / "broken"
    broken.mkdir()
    (broken / "app.yaml").write_text("app: broken\nhots: [broken.localhost]\n")
    result = sogoctl.cli("reload", "sogoway")
    assert result.returncode == 1
    assert "reload failed:" in result.stdout and "hots" in result.stdout
    health = sogoctl.status()["sogoway"]["health"]
    assert health["note"].startswith("reload failed:") and "hots" in health["note"]
    table = sogoctl.cli("status").stdout
    assert re.search(r"^sogoway\s+RUNNING .*reload failed: .*hots", table, re.M)
    # still serving the previous apps
    assert login(sogoctl, "prokov.localhost", "ana@prokov.test").status_code == 200
    shutil.rmtree(broken)
    sogoctl.process.send_signal(signal.SIGHUP)  # SIGHUP to sogoctl reloads every service

    def cleared() -> bool:
        health = sogoctl.status()["sogoway"]["health"]
        return health is not None and health["note"] == "ok"

    wait_until(cleared, 20, "the reload error cleared")
    assert "sogoms-db: app settings reloaded" in (sogoctl.platform.paths.logs / "sogoms-db.log").read_text()


RELOADING_SERVICES = ("sogoms-logs", "sogoms-db", "sogoms-push", "sogoms-smtp", "sogoms-mailproc", "sogoms-imap")


def test_every_service_reports_a_refused_reload_with_the_file_and_key(sogoctl: Sogoctl):
    """Issue 11 item 6: a broken app.yaml made `sogoctl reload sogoms-db` (smtp, cron...) print ok and exit 0."""
    broken = sogoctl.platform.paths.config / "apps" / "broken"
    broken.mkdir()
    (broken / "app.yaml").write_text("app: broken\nhots: [broken.localhost]\n")
    services = [*RELOADING_SERVICES, *(["sogoms-cron"] if "sogoms-cron" in sogoctl.status() else [])]
    for name in services:
        result = sogoctl.cli("reload", name)
        assert result.returncode == 1, f"{name}: {result.stdout}{result.stderr}"
        assert re.match(rf"{name}: SIGHUP sent to pid \d+; now RUNNING, reload failed: ", result.stdout), result.stdout
        assert str(broken / "app.yaml") in result.stdout and "hots" in result.stdout, result.stdout
        health = sogoctl.status()[name]["health"]
        assert health["note"].startswith("reload failed:") and health["detail"]["reload"]["error"]
    everything = sogoctl.cli("reload")  # all of them at once: one failure is enough to exit 1
    assert everything.returncode == 1
    assert all(f"{name}: SIGHUP sent" in everything.stdout for name in services)
    shutil.rmtree(broken)
    for name in services:
        result = sogoctl.cli("reload", name)
        assert result.returncode == 0, f"{name}: {result.stdout}{result.stderr}"
        assert result.stdout.strip().endswith("now RUNNING, ok"), result.stdout
    assert all(sogoctl.status()[name]["restarts"] == 0 for name in services)  # refused, never restarted
