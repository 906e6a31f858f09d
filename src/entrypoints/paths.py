"""The platform's folders, from `--config` and the SOGOMS_* environment variables."""

from __future__ import annotations

import os
import stat
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
        """The run, log and data folders, 0700; when an older version or another tool left them (or the files
        directly in the log and data folders) open to others, they are closed again (only what this user owns)."""
        for p in (self.run, self.logs, self.data):
            p.mkdir(parents=True, exist_ok=True, mode=0o700)
            _close_to_others(p)
        for folder in (self.logs, self.data):
            for entry in os.scandir(folder):
                if entry.is_file(follow_symlinks=False):
                    _close_to_others(Path(entry.path))


def _close_to_others(path: Path) -> None:
    try:
        st = path.lstat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o077:
            path.chmod(stat.S_IMODE(st.st_mode) & 0o700)
    except OSError:  # gone meanwhile, or not ours to change: the services' umask still covers new files
        pass
