"""Lists over HTTP on SQLite and MariaDB, in-process and over sogoms-db: cursors walk every sort exactly (ties,
NULLs, dates), cannot be tampered with or re-aimed, and totals are computed only when asked."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.config.apps import YamlAppRepository
from adapters.sql.database import SqlAlchemyDatabase

ROWS = 60


def _run_sql(platform: Any, app: str, statements: list[str]) -> None:
    settings = YamlAppRepository(platform.paths.config, platform.paths.secrets).load_settings(
        platform.paths.config / "apps" / app
    )

    async def run() -> None:
        db = SqlAlchemyDatabase(platform.paths.secrets, {app: settings.database})
        try:
            await db.execute_script(app, statements)
        finally:
            await db.close()

    asyncio.run(run())


@pytest.fixture
def many(platform: Any) -> None:
    """Ana owns ROWS more projects and tasks: positions, dates and descriptions repeat, some are NULL."""
    projects, tasks = [], []
    for i in range(ROWS):
        created = f"2025-0{1 + i % 3}-01 10:00:0{i % 2}"
        description = "NULL" if i % 4 == 0 else f"'d{i % 5}'"
        projects.append(f"({100 + i}, 1, 'P{i:02d}', {description}, {i % 6}, '{created}')")
        date_end = "NULL" if i % 3 == 0 else f"'2025-05-{1 + i % 4:02d}'"
        tasks.append(f"({100 + i}, 1, 1, 'T{i:02d}', {date_end}, {i % 5})")
    _run_sql(
        platform,
        "prokov",
        [
            "INSERT INTO projects (id, user_id, name, description, position, created_at) VALUES " + ", ".join(projects),
            "INSERT INTO tasks (id, user_id, project_id, title, date_end, position) VALUES " + ", ".join(tasks),
        ],
    )


def _link(response: Any, rel: str) -> str | None:
    for part in response.headers.get("link", "").split(", "):
        url, _, kind = part.partition("; ")
        if kind == f'rel="{rel}"':
            return url.strip("<>")
    return None


def _walk(client: Any, token: str, path: str, rel: str = "next", start: str = "") -> list[Any]:
    """Every id of a list, page after page through its Link header, checked against meta on each page."""
    seen: list[Any] = []
    url: str | None = start or path
    while url is not None:
        r = client.get(url, token=token)
        assert r.status_code == 200, r.text
        body = r.json()
        page = [row["id"] for row in body["data"]]
        seen = seen + page if rel == "next" else page + seen
        url = _link(r, rel)
        assert (url is None) == (body["meta"][rel] is None)
        assert len(seen) <= 500, "the walk does not end"
    return seen


@pytest.mark.usefixtures("many")
@pytest.mark.parametrize(
    ("resource", "sort"),
    [
        ("projects", ""),
        ("projects", "-created_at"),
        ("projects", "position"),
        ("projects", "description,-position"),
        ("projects", "-description,created_at"),
        ("tasks", ""),  # a query file's list: its own order, made total by its key
        ("tasks", "date_end"),
        ("tasks", "-date_end,position"),
    ],
)
def test_a_cursor_walk_gives_exactly_the_rows_of_one_ordered_read(prokov: Any, resource: str, sort: str) -> None:
    ana = prokov.token("ana@prokov.test")
    query = f"&sort={sort}" if sort else ""
    everything = [row["id"] for row in prokov.get(f"{resource}?limit=500{query}", token=ana).json()["data"]]
    assert len(everything) > ROWS
    assert _walk(prokov, ana, f"{resource}?limit=7{query}") == everything
    last = prokov.get(f"{resource}?limit=7&offset={len(everything) - 3}{query}", token=ana)
    assert [row["id"] for row in last.json()["data"]] == everything[-3:]
    assert _walk(prokov, ana, "", rel="prev", start=_link(last, "prev") or "") == everything[:-3]


@pytest.mark.usefixtures("many")
def test_a_cursor_cannot_be_re_aimed_at_other_filters_or_forged(prokov: Any) -> None:
    ana = prokov.token("ana@prokov.test")
    page = prokov.get("projects?limit=5&position[gte]=1", token=ana).json()["meta"]
    cursor = page["next"]
    assert prokov.get(f"projects?limit=5&position[gte]=1&after={cursor}", token=ana).status_code == 200
    for query in (
        f"projects?limit=5&position[gte]=0&after={cursor}",
        f"projects?limit=5&after={cursor}",
        f"projects?limit=5&position[gte]=1&sort=name&after={cursor}",
        f"tasks?limit=5&position[gte]=1&after={cursor}",
        f"projects?limit=5&position[gte]=1&after={cursor[:-2]}{'AA' if cursor[-2:] != 'AA' else 'BA'}",
        f"projects?limit=5&position[gte]=1&after={cursor[:-6]}{'B' if cursor[-6] != 'B' else 'C'}{cursor[-5:]}",
        f"projects?limit=5&position[gte]=1&after=W1ssIjEgT1IgMT0xIl0.{cursor.split('.')[1]}",
    ):
        r = prokov.get(query, token=ana)
        assert (r.status_code, r.json()["error"]["code"]) == (400, "BAD_REQUEST"), query
        assert "cursor" in r.json()["error"]["message"]


@pytest.mark.usefixtures("many")
def test_a_cursor_never_reaches_past_the_owner_filter(prokov: Any) -> None:
    ana, ben = prokov.token("ana@prokov.test"), prokov.token("ben@prokov.test")
    cursor = prokov.get("projects?limit=2", token=ana).json()["meta"]["next"]
    r = prokov.get(f"projects?after={cursor}", token=ben)
    assert r.status_code == 200 and {row["user_id"] for row in r.json()["data"]} <= {2}


@pytest.mark.usefixtures("many")
def test_totals_are_given_only_when_asked_and_say_how_they_were_found(prokov: Any, backend: str) -> None:
    ana = prokov.token("ana@prokov.test")
    mine = 2 + ROWS
    plain = prokov.get("projects?limit=5", token=ana).json()["meta"]
    assert "total" not in plain and plain["has_more"] is True
    exact = prokov.get("projects?limit=5&offset=5&count=exact", token=ana).json()["meta"]
    assert (exact["total"], exact["count"]) == (mine, "exact")
    filtered = prokov.get("tasks?limit=5&count=exact&position=0", token=ana).json()["meta"]
    assert (filtered["total"], filtered["count"]) == (ROWS // 5, "exact")
    estimated = prokov.get("projects?limit=5&count=estimated", token=ana).json()["meta"]
    # below 1000 rows the estimate is replaced by the exact count, on both databases
    assert (estimated["total"], estimated["count"]) == (mine, "exact")


@pytest.mark.parametrize("backend", [pytest.param("mariadb", marks=pytest.mark.mariadb)])
def test_an_estimate_on_mariadb_comes_from_the_planner_not_from_counting(platform: Any, prokov: Any) -> None:
    if platform.backend != "mariadb":
        pytest.skip("MariaDB only")
    _run_sql(
        platform,
        "prokov",
        [
            "INSERT INTO projects (user_id, name, position) SELECT 1, CONCAT('bulk ', seq), MOD(seq, 7) FROM seq_1_to_3000",
            "ANALYZE TABLE projects",
        ],
    )
    ana = prokov.token("ana@prokov.test")
    meta = prokov.get("projects?limit=5&count=estimated", token=ana).json()["meta"]
    assert meta["count"] == "estimated" and 1000 <= meta["total"] <= 9000, meta
    exact = prokov.get("projects?limit=5&count=exact", token=ana).json()["meta"]
    assert (exact["total"], exact["count"]) == (3002, "exact")
