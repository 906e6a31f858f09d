"""`sogoms mailcatcher`: a development SMTP server keeping each message as {LOG_DIR}/mail/{timestamp}-{id}.eml."""

from __future__ import annotations

import os
import re
import time
from email.parser import BytesParser
from email.policy import default

import aiosmtplib

from tests.support.processes import free_port, start, stop, wait_for_port


async def test_each_message_is_kept_as_an_eml_file_and_logged(tmp_path):
    port = free_port()
    env = {**os.environ, "SOGOMS_LOG_DIR": str(tmp_path / "log"), "SOGOMS_LOG_LEVEL": "INFO"}
    out = tmp_path / "catcher.out"
    proc = start("sogoms", "mailcatcher", "--port", str(port), env=env, log=out)
    try:
        wait_for_port(port, proc=proc)
        for n in (1, 2):
            await aiosmtplib.send(
                f"From: a@prokov.test\r\nTo: b@prokov.test\r\nSubject: Test {n}\r\n"
                f"Message-ID: <m{n}/x@prokov.sogoms>\r\n\r\nBody {n}\r\n",
                sender="a@prokov.test",
                recipients=["b@prokov.test"],
                hostname="127.0.0.1",
                port=port,
                start_tls=False,
                local_hostname="test",
            )
        folder = tmp_path / "log" / "mail"
        deadline = time.monotonic() + 10
        while len(list(folder.glob("*.eml"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        files = sorted(folder.glob("*.eml"))
    finally:
        assert stop(proc) == 0
    assert len(files) == 2
    assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-m1_x@prokov\.sogoms\.eml", files[0].name)
    msg = BytesParser(policy=default).parsebytes(files[1].read_bytes())
    assert msg["Subject"] == "Test 2"
    assert msg.get_content().strip() == "Body 2"
    log = out.read_text()
    assert "<m1/x@prokov.sogoms>" in log and "'Test 1'" in log
    assert len([line for line in log.splitlines() if "mail <m" in line]) == 2


def test_a_busy_port_is_a_clear_error(tmp_path):
    import socket
    import subprocess

    from tests.support.processes import BIN

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = {**os.environ, "SOGOMS_LOG_DIR": str(tmp_path)}
        res = subprocess.run(
            [str(BIN / "sogoms"), "mailcatcher", "--port", str(port)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert res.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr
