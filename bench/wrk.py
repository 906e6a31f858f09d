"""Run wrk (loopback only, bounded duration) and read its figures from a Lua `done` hook."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nWRKJSON {"requests": %d, "duration_us": %d, "socket_errors": %d, "non2xx": %d, '
    .. '"p50_us": %d, "p99_us": %d, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


ROTATE = """
local bodies = {BODIES}
local threads = 0
function setup(thread)
  thread:set("first", threads * 7)
  threads = threads + 1
end
local n = nil
request = function()
  n = (n or first or 0) + 1
  wrk.headers['Content-Type'] = 'application/json'
  return wrk.format('POST', nil, nil, bodies[(n % #bodies) + 1])
end
"""


def _lua(body: dict) -> str:
    return "'" + json.dumps(body).replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    failures: int
    ok_rps: float = 0.0  # answers in 2xx per second (a 429 or 5xx is cheap: it must not count as a login)

    def row(self) -> str:
        return f"{self.name:<38} {self.rps:>9.0f} req/s   p50 {self.p50_ms:6.2f} ms   p99 {self.p99_ms:7.2f} ms" + (
            f"   FAILURES {self.failures} (2xx {self.ok_rps:.0f}/s)" if self.failures else ""
        )


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:  # Debian's package
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed and could not be installed (apt-get install wrk)")
    return found


def run(
    name: str,
    url: str,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    headers: dict[str, str] | None = None,
    body: dict | None = None,
    bodies: list[dict] | None = None,
) -> Result:
    """`body`: one JSON body POSTed on every request; `bodies`: POSTed in turn (each wrk thread from its own place)."""
    assert url.startswith("http://127.0.0.1:"), "the benchmark only talks to loopback"
    script = DONE
    if body is not None:
        script = (
            f"wrk.method = 'POST'\nwrk.body = {_lua(body)}\nwrk.headers['Content-Type'] = 'application/json'\n" + DONE
        )
    elif bodies:
        script = ROTATE.replace("BODIES", ", ".join(_lua(b) for b in bodies)) + DONE
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    cmd = [wrk_binary(), "-t", str(threads), "-c", str(connections), "-d", f"{seconds:.0f}s", "--timeout", "10s"]
    for k, v in (headers or {}).items():
        cmd += ["-H", f"{k}: {v}"]
    cmd += ["-s", f.name, url]
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        Path(f.name).unlink()
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    data = json.loads(line[len("WRKJSON ") :])
    return Result(
        name,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        failures=data["socket_errors"] + data["non2xx"],
        ok_rps=(data["requests"] - data["non2xx"]) / (data["duration_us"] / 1e6),
    )
