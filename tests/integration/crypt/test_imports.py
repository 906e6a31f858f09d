"""`cryptography` (OpenSSL's bindings, about 7 MiB a process) is loaded only by the processes that encrypt."""

from __future__ import annotations

import subprocess
import sys

import pytest

NOT_ENCRYPTING = [
    "entrypoints.db_service.main",
    "entrypoints.logs_service.main",
    "entrypoints.smtp_service.main",
    "entrypoints.push_service.main",
    "entrypoints.cron_service.main",
    "entrypoints.admin.main",
    "entrypoints.supervisor.main",
    "entrypoints.cli.main",
]


def loaded_after(code: str) -> bool:
    probe = f"import sys\n{code}\nprint('cryptography' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.strip().endswith("True")


@pytest.mark.parametrize("module", NOT_ENCRYPTING)
def test_services_that_do_not_encrypt_do_not_load_it(module: str) -> None:
    assert not loaded_after(f"import {module}")


def test_the_gateway_signs_hs256_without_it() -> None:
    code = (
        "from entrypoints.gateway.main import import_pyjwt_hs256_only\n"
        "import_pyjwt_hs256_only()\n"
        "import entrypoints.gateway.app, adapters.security.jwt_tokens\n"
        "from adapters.security.jwt_tokens import JwtTokens\n"
        "t = JwtTokens()\n"
        "tok = t.issue('a', b's' * 32, {'sub': '1'}, 60)\n"
        "assert t.verify('a', b's' * 32, tok.token, 0).user_id == 1\n"
    )
    assert not loaded_after(code)


def test_the_cipher_is_what_loads_it() -> None:
    assert not loaded_after("import adapters.crypt.keyring, adapters.ipc.crypt, application.crypt.actions")
    assert loaded_after("import adapters.crypt.aesgcm")
