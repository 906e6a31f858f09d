"""sogoctl.yaml loading: the shipped file, `${VAR:-default}`, binaries resolved, clear errors before any start."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from adapters.process.config_file import load_supervisor_config, resolve_binary
from domain.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sogoctl.yaml"
    path.write_text(text)
    return path


def test_the_shipped_file_runs_the_platform_in_order_with_console_scripts_of_this_install():
    env = {"SOGOMS_RUN_DIR": "/run/sogoms", "SOGOMS_CONFIG_DIR": "/config"}
    config = load_supervisor_config(ROOT / "config" / "sogoctl.yaml", env)
    order = config.start_order()
    assert order[0] == "sogoms-logs"
    for name, spec in config.services.items():  # each service after everything it depends on
        if name in order:
            assert all(order.index(dep) < order.index(name) for dep in spec.depends_on), name
    assert order.index("sogoms-db") < order.index("sogoway")
    assert order.index("sogoms-mailproc") < order.index("sogoms-imap")
    gateway = config.services["sogoway"]
    assert gateway.binary == str(BIN / "sogoway")
    assert gateway.health_url == "http://127.0.0.1:8080/health"
    assert (
        gateway.environment["SOGOWAY_DB_TRANSPORT"] == "ipc" and gateway.environment["SOGOWAY_LOGS_TRANSPORT"] == "ipc"
    )
    db = config.services["sogoms-db"]
    assert db.health_socket == "/run/sogoms/sogoms-db.1.sock"
    assert db.args == ("--config", "/config", "--socket", "/run/sogoms/sogoms-db.1.sock")
    policy = config.supervisor.policy()
    assert (policy.health_interval, policy.restart_delay, policy.max_restarts) == (10, 2, 5)


def test_variables_with_defaults_are_expanded(tmp_path):
    path = write(
        tmp_path,
        "services:\n  a:\n    binary: sogoms-db\n    args: ['${SOGOMS_RUN_DIR:-var/run}/x.sock', '${PORT:-81}']\n",
    )
    assert load_supervisor_config(path, {}).services["a"].args == ("var/run/x.sock", "81")
    assert load_supervisor_config(path, {"PORT": "9"}).services["a"].args == ("var/run/x.sock", "9")


@pytest.mark.parametrize(
    "text, message",
    [
        ("services:\n  a: {binary: sogoms-db, helth_url: x}\n", "in service `a`: unknown key `helth_url`"),
        (
            "supervisor: {restart_delay: soon}\nservices:\n  a: {binary: sogoms-db}\n",
            "restart_delay: expected a duration",
        ),
        ("supervisor: {max_restart: 3}\n", "unknown key `max_restart`"),
        ("services:\n  a: {binary: no-such-binary-here}\n", "in service `a`: binary 'no-such-binary-here' not found"),
        (
            "services:\n  a: {binary: /nonexistent/bin/x}\n",
            "in service `a`: binary /nonexistent/bin/x is not an executable",
        ),
        ("services:\n  a: {binary: sogoms-db, depends_on: [b]}\n", "'a' depends on unknown service 'b'"),
        (
            "services:\n  a: {binary: sogoms-db, depends_on: [b]}\n  b: {binary: sogoms-db, depends_on: [a]}\n",
            "dependency cycle",
        ),
        ("services:\n  a: sogoms-db\n", "in service `a`: expected a mapping"),
        ("services:\n  a: {binary: sogoms-db, args: '${NOPE}'}\n", "environment variable NOPE is not set"),
        ("services: [\n", "invalid YAML"),
        ("services: {}\n", "no service to run"),
        (
            "services:\n  a: {binary: sogoms-db, health_socket: /" + "r" * 120 + "/a.sock}\n",
            "is 128 bytes long; a Unix socket path is at most 107 (use a shorter SOGOMS_RUN_DIR)",
        ),
    ],
)
def test_bad_files_are_refused_naming_the_file_and_what_is_wrong(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_supervisor_config(path, {})
    assert str(path) in err.value.message
    assert message in err.value.message


def test_a_disabled_service_needs_no_binary(tmp_path):
    path = write(
        tmp_path, "services:\n  a: {binary: sogoms-db}\n  mail: {binary: not-installed, enabled: '${MAIL:-false}'}\n"
    )
    config = load_supervisor_config(path, {})
    assert config.start_order() == ["a"]
    with pytest.raises(ConfigError, match="not-installed"):
        load_supervisor_config(path, {"MAIL": "true"})


def test_binary_resolution_order(tmp_path, monkeypatch):
    assert resolve_binary("sogoway") == str(BIN / "sogoway")  # beside this Python, before the PATH
    assert resolve_binary("sh") in ("/bin/sh", "/usr/bin/sh")  # else the PATH
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert resolve_binary(str(script)) == str(script)
    monkeypatch.chdir(tmp_path)
    assert resolve_binary("./tool") == str(script)
    script.chmod(0o644)
    with pytest.raises(ConfigError, match="not an executable file"):
        resolve_binary(str(script))
