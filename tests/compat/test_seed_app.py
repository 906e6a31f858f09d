"""The Go SOGOMS's own example files (tests/compat/seed/, copied from its documents) loaded unchanged and used.

`app.yaml` is loaded as it is (its MariaDB at 13.23.33.4 is not reachable from a test, so the end-to-end tests keep
the test platform's app.yaml, which points at a throw-away database, and use every other seed file unchanged).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from litestar.testing import TestClient

from adapters.config.apps import YamlAppRepository
from adapters.schedule.cron_file import load_cron_file
from adapters.templates.files import read_template_file
from adapters.templates.jinja import compile_file, with_aliases
from entrypoints.gateway.app import create_app
from entrypoints.wiring.gateway_settings import GatewaySettings, Transports
from tests.integration.mail.smtpd import Recorder, SmtpServer
from tests.support.api import AppClient
from tests.support.platform import Platform
from tests.support.processes import BIN

SEED = Path(__file__).parent / "seed"
SEED_FILES = ("queries/projects.yaml", "emails/welcome.yaml", "cron.yaml", "schema.yaml")


def test_the_seed_app_yaml_loads_as_it_is(tmp_path: Path) -> None:
    folder = tmp_path / "config" / "apps" / "prokov"
    shutil.copytree(SEED, folder, ignore=shutil.ignore_patterns("README.md"))
    settings = YamlAppRepository(tmp_path / "config", tmp_path / "secrets").load_settings(folder)
    db = settings.database
    assert (db.host, db.port, db.user, db.name) == ("13.23.33.4", 3306, "prokov_user", "prokov")
    assert db.password_file == "/secrets/prokov_db_pass" and db.dialect == "mysql"
    assert settings.hosts == ("prokov.unikoffice.com", "prokov.sogoms.com")
    assert settings.auth.jwt_secret_file == "/secrets/prokov_jwt_secret" and settings.auth.jwt_expiry_seconds == 86400
    assert settings.logs.retention_days == 30
    cron = load_cron_file(folder / "cron.yaml", "prokov")
    assert list(cron.jobs) == ["tasks_today"]
    welcome = compile_file(read_template_file(folder / "emails" / "welcome.yaml"))
    assert welcome.go  # told from the text: `{{.Name}}` is Go syntax


@pytest.fixture
def seeded(platform: Platform) -> Platform:
    folder = platform.paths.config / "apps" / "prokov"
    for name in SEED_FILES:
        shutil.copy(SEED / name, folder / name)
    return platform


def test_sogoms_check_accepts_the_seed_files_and_says_how_to_get_the_enriched_login_back(seeded: Platform) -> None:
    app_yaml = seeded.paths.config / "apps" / "prokov" / "app.yaml"
    app_yaml.write_text(app_yaml.read_text().replace("  login_include: [projects, tasks, tags, statuses]\n", ""))
    done = subprocess.run([str(BIN / "sogoms"), "check"], env=seeded.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok prokov:" in done.stdout and "ok prokov: cron.yaml, 1 jobs (Europe/Paris)" in done.stdout
    note = next(line for line in done.stdout.splitlines() if line.startswith("note: prokov:"))
    assert "login_include: [projects, tasks, tags, statuses]" in note and "app.yaml" in note
    assert "note: koprogo" not in done.stdout  # koprogo declares its login_include


def test_the_go_syntax_welcome_mail_arrives_and_the_seed_queries_serve(
    seeded: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    smtp = SmtpServer(recorder).start()
    monkeypatch.setenv("PROKOV_SMTP_PORT", str(smtp.port))
    try:
        settings = GatewaySettings(transport=Transports(db="inproc", logs="inproc", smtp="inproc"))
        with TestClient(create_app(seeded.paths, settings), base_url="http://testserver.local") as http:
            prokov = AppClient(http, "prokov.localhost")
            r = prokov.post("auth/register", {"email": "zoe@prokov.test", "name": "Zoé <Z>", "password": "long enough"})
            assert r.status_code == 201, r.text
            (msg,) = recorder.wait_for(1)
            token = r.json()["data"]["token"]
            # the seed's projects.yaml serves the list and takes a create
            created = prokov.post("projects", {"name": "Seed project", "description": "d", "position": 1}, token)
            assert created.status_code == 201, created.text
            listed = prokov.get("projects", token).json()["data"]
            assert [p["name"] for p in listed] == ["Seed project"] and set(listed[0]) == {"id", "name", "description"}
    finally:
        smtp.stop()
    assert msg["To"] == "zoe@prokov.test"
    assert msg["Subject"] == "Bienvenue Zoé <Z> !"
    plain_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain_part is not None and html_part is not None
    plain = plain_part.get_content().replace("\r\n", "\n")
    assert plain == "Bonjour Zoé <Z>,\nBienvenue sur notre plateforme.\n"
    html = html_part.get_content().replace("\r\n", "\n")
    assert "<h1>Bienvenue Zoé &lt;Z&gt; !</h1>\n<p>Bienvenue sur notre plateforme.</p>\n" in html


def test_sogoms_emails_convert_rewrites_the_seed_template_to_jinja2(seeded: Platform) -> None:
    folder = seeded.paths.config / "apps" / "prokov" / "emails"
    before = compile_file(read_template_file(folder / "welcome.yaml"))
    done = subprocess.run(
        [str(BIN / "sogoms"), "emails", "convert", "prokov"], env=seeded.env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "welcome.yaml: converted (original kept as welcome.yaml.go)" in done.stdout
    assert "tasks_today.yaml: already Jinja2, left alone" in done.stdout
    text = (folder / "welcome.yaml").read_text()
    assert "{{ name }}" in text and "{{.Name}}" not in text
    assert (folder / "welcome.yaml.go").read_text() == (SEED / "emails" / "welcome.yaml").read_text()
    after = compile_file(read_template_file(folder / "welcome.yaml"))
    assert not after.go
    for data in ({"name": "Ana <A>"}, {"Name": "Ana <A>"}):  # a Go caller's capitalised key reaches it too
        for part in ("subject", "body", "body_html"):
            go_text = before.parts[part].render(data)
            jinja_text = after.parts[part].render(with_aliases(data))
            assert go_text == jinja_text, part
