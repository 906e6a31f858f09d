"""Per-request cost of the gateway's metrics (route table match + counter + histogram), in-process and multiprocess."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from types import SimpleNamespace

N = 200_000


def measure() -> float:
    from adapters.metrics.prometheus import PrometheusMetrics
    from application.api.routes import match
    from entrypoints.gateway.metrics import GatewayMetrics

    gm = GatewayMetrics(PrometheusMetrics())
    app = SimpleNamespace(name="prokov", settings=SimpleNamespace(base_path="/api"))
    paths = [f"/api/projects/{i % 50}" for i in range(N)]
    started = time.perf_counter()
    for p in paths:
        gm.request(app, match(p, "/api")[0].template, "GET", 200, 0.0012)  # type: ignore[arg-type]
    return (time.perf_counter() - started) / N * 1e6


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--multiprocess":
        with tempfile.TemporaryDirectory() as d:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = d
            print(json.dumps({"us_per_request": measure()}))
    else:
        print(json.dumps({"us_per_request": measure()}))
