"""`sogoms admin-user add | passwd | list` and `sogoms-admin` refusing a broken accounts file, as processes."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

from tests.support.processes import BIN


def run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "sogoms"), "admin-user", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


def environment(tmp_path: Path) -> dict[str, str]:
    import os

    return {
        **os.environ,
        "SOGOMS_SECRETS_DIR": str(tmp_path / "secrets"),
        "SOGOMS_DATA_DIR": str(tmp_path / "data"),
        "SOGOMS_CONFIG_DIR": str(tmp_path / "config"),
    }


def test_add_passwd_list(tmp_path: Path) -> None:
    env = environment(tmp_path)
    short = run(env, "add", "zoe", "--role", "super_admin", stdin="short\n")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    added = run(env, "add", "zoe", "--role", "super_admin", stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert "a-long-password" not in added.stdout
    path = tmp_path / "secrets" / "admin_users.yaml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "$argon2id$" in path.read_text()
    again = run(env, "add", "zoe", "--role", "super_admin", stdin="a-long-password\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    assert run(env, "add", "zoe", "--if-missing", "--generate").returncode == 0
    gen = run(env, "add", "ann", "--app", "prokov", "--permission", "logs:read", "--generate")
    assert gen.returncode == 0 and "password: " in gen.stdout
    bad = run(env, "add", "bob", "--app", "prokov", "--permission", "logs:delete", stdin="a-long-password\n")
    assert bad.returncode == 2 and "unknown permission" in bad.stderr
    assert run(env, "passwd", "zoe", stdin="another-long-one\n").returncode == 0
    assert run(env, "passwd", "nobody", stdin="another-long-one\n").returncode == 2
    listing = run(env, "list").stdout
    assert "zoe\tsuper_admin" in listing and "ann\tapp_admin" in listing and "logs:read" in listing


def test_admin_refuses_to_start_on_a_broken_accounts_file(tmp_path: Path) -> None:
    env = environment(tmp_path)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "admin_users.yaml").write_text("users:\n  - username: x\n    role: emperor\n")
    (tmp_path / "config").mkdir()
    r = subprocess.run([str(BIN / "sogoms-admin"), "--port", "1"], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "admin_users.yaml" in r.stderr
