"""Migration files of an app folder: `migrations/NNN_name.sql`, or per dialect `NNN_name.sqlite.sql` / `.mysql.sql`."""

from __future__ import annotations

from pathlib import Path

from application.schema.migrations import MigrationFile

DIALECTS = ("sqlite", "mysql")


class FolderMigrations:
    def __init__(self, apps_dir: Path) -> None:
        self._apps_dir = Path(apps_dir)

    def pending_candidates(self, app: str, dialect: str) -> list[MigrationFile]:
        folder = self._apps_dir / app / "migrations"
        if not folder.is_dir():
            return []
        found: list[MigrationFile] = []
        for path in sorted(folder.glob("*.sql")):
            stem = path.name[: -len(".sql")]
            tag = stem.rsplit(".", 1)[1] if "." in stem else ""
            if tag and tag in DIALECTS and tag != dialect:
                continue
            found.append(MigrationFile(path.name, path.read_text(encoding="utf-8")))
        return found
