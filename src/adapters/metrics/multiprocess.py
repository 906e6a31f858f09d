"""prometheus-client's multiprocess mode for a server that forks workers (no prometheus import here on purpose).

prometheus-client picks its value storage when first imported, so the folder must be set before that,
in the parent, before the workers are forked.
"""

from __future__ import annotations

import os

ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(path: str) -> None:
    """Empty (or create) the folder every worker writes its values to, and point prometheus-client at it."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):  # a previous run's values
            os.unlink(os.path.join(path, name))
    os.environ[ENV] = path


def worker_exited(pid: int) -> None:
    """Drop a dead worker's live gauges (its counters stay: they are still part of the totals)."""
    if os.environ.get(ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
