"""Every URL of the admin UI is built here, under its configurable base path (`/admin` by default, as the seed)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

DEFAULT_BASE = "/admin"


@dataclass(frozen=True, slots=True)
class AdminUrls:
    """`urls("/apps/new")` -> `/admin/apps/new`; `urls("/")` -> `/admin/` (the dashboard); the root base is ''."""

    base: str = DEFAULT_BASE

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.rstrip("/"))

    def __call__(self, path: str = "/", *segments: str) -> str:
        """`path` (starting with '/') under the base; each of `segments` is appended URL-quoted (names from users)."""
        if not path.startswith("/"):
            raise ValueError(f"admin paths start with '/': {path!r}")
        tail = "".join("/" + quote(s, safe="") for s in segments)
        return f"{self.base}{path.rstrip('/') if tail else path}{tail}"

    @property
    def home(self) -> str:
        return self("/")

    @property
    def login(self) -> str:
        return self("/login")

    @property
    def static(self) -> str:
        return self("/static")

    def app(self, name: str, *rest: str) -> str:
        """An app's page: `app("prokov", "files", "queries")` -> `/admin/apps/prokov/files/queries`."""
        return self("/apps", name, *rest)

    def is_static(self, path: str) -> bool:
        return path.startswith(self.static + "/")

    def is_api(self, path: str) -> bool:
        """The seed's JSON endpoints (`{base}/api/...`): they answer 401 in JSON rather than redirecting."""
        return path.startswith(self("/api/"))
