"""The platform's folders, from `--config` and the SOGOMS_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Paths:
    config: Path
    run: Path
    logs: Path
    secrets: Path
    data: Path

    @classmethod
    def from_env(cls, config: str | Path | None = None) -> Paths:
        env = os.environ
        return cls(
            config=Path(config or env.get("SOGOMS_CONFIG_DIR") or "config"),
            run=Path(env.get("SOGOMS_RUN_DIR") or "var/run"),
            logs=Path(env.get("SOGOMS_LOG_DIR") or "var/log"),
            secrets=Path(env.get("SOGOMS_SECRETS_DIR") or "var/secrets"),
            data=Path(env.get("SOGOMS_DATA_DIR") or "var/data"),
        )

    def socket(self, service: str) -> Path:
        """`{RUN_DIR}/sogoms-{service}.1.sock` (or `sogoctl.sock` for the supervisor)."""
        if service == "sogoctl":
            return self.run / "sogoctl.sock"
        return self.run / f"sogoms-{service}.1.sock"

    def ensure(self) -> None:
        for p in (self.run, self.logs, self.data):
            p.mkdir(parents=True, exist_ok=True)
