"""`make bench-scale`: does a list of 50 cost the page or the table? Each documented list form at 200 / 20,000 /
200,000 / 1,000,000 rows, on SQLite and MariaDB, as a ratio to its 200-row latency (issue 14: within 2x).

One gateway (in-process database, 1 worker) serves prokov's `tasks`, all owned by one user. The rows are written
straight into the database in bulk (INSERT ... SELECT over a sequence), never through the API, then ANALYZEd.
The schema is prokov's own with `project_id` declared `index: true` (the documented way to make a filter fast)
and the tasks list served from schema.yaml (the demo's query-file override removed). Each figure is the fastest
of `--requests` sequential requests after a warm-up (the median is kept too), timed alternately with the same
form for a control user who owns 200 rows of the same table. Exits 1, naming the form, when one exceeds `--limit`
times its control.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import fixture as bp  # noqa: E402
from bench import procs  # noqa: E402
from bench.run import machine, save  # noqa: E402

HOST = {"Host": "prokov.localhost"}
PROJECTS = 20
USER = 1  # ana, who owns the growing set of tasks
CONTROL = 2  # ben, who owns 200
CONTROL_ROWS = 200
FORMS = {
    "list": "/api/tasks?limit=50",
    "sorted list": "/api/tasks?limit=50&sort=-position",
    "filtered list": "/api/tasks?limit=50&project_id={project}",
    "include": "/api/tasks?limit=50&include=project",
    "show": "/api/tasks/{task}",
    "cursor page (middle)": "/api/tasks?limit=50&after={cursor}",
    "offset page (middle)": "/api/tasks?limit=50&offset={offset}",
    "count=exact": "/api/tasks?limit=50&count=exact",
}
# documented as O(offset) and O(matching rows): measured to show it, not held to the limit
INFO = ("offset page (middle)", "count=exact")


class Target:
    """One backend: its database, the statements that fill it, and the gateway in front of it."""

    def __init__(self, backend: str, root: Path) -> None:
        self.backend, self.root = backend, root
        self.database = f"sogoms_scale_{uuid.uuid4().hex[:10]}"
        self.sqlite_file = root / "data" / "prokov.db"
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.rows = 0
        self.first_project = 0
        self.control_project = 0
        self.control_task = 0

    @property
    def url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite+aiosqlite:///{self.sqlite_file}"
        return f"{bp.MARIADB}/{self.database}"

    def env(self) -> dict[str, str]:
        p = bp.BenchPlatform(self.root, self.database, self.url)
        return p.env("scale", SOGOMS_LOG_LEVEL="WARNING")

    # ---- set up ---------------------------------------------------------------------------------------
    def create(self) -> None:
        (self.root / "config" / "apps").mkdir(parents=True)
        (self.root / "data").mkdir()
        for f in (bp.ROOT / "config").iterdir():
            if f.is_file():
                shutil.copy(f, self.root / "config" / f.name)
        app = self.root / "config" / "apps" / "prokov"
        shutil.copytree(bp.ROOT / "config" / "apps" / "prokov", app)
        (app / "queries" / "tasks.yaml").unlink()  # the list from schema.yaml, not the demo's query file
        schema = app / "schema.yaml"
        text = schema.read_text()
        marked = text.replace(
            "project_id: {type: int, foreign: projects.id}",
            "project_id: {type: int, foreign: projects.id, index: true}",
        )
        assert marked != text, "prokov's schema.yaml changed: update bench/scale.py"
        schema.write_text(marked)
        if self.backend == "mariadb":
            asyncio.run(
                bp._admin(f"CREATE DATABASE `{self.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
        env = self.env()
        for cmd in (["secrets", "init", "prokov"], ["schema", "migrate", "prokov", "--apply"]):
            done = subprocess.run([str(bp.BIN / "sogoms"), *cmd], env=env, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"sogoms {' '.join(cmd)}: {done.stdout}{done.stderr}")
        self.sql(["DELETE FROM tasks"])
        values = ", ".join(f"({USER}, 'Scale project {n}', {n})" for n in range(PROJECTS))
        self.sql([f"INSERT INTO projects (user_id, name, position) VALUES {values}"])
        ids = [r[0] for r in self.query("SELECT id FROM projects WHERE name LIKE 'Scale project %' ORDER BY id")]
        assert ids == list(range(ids[0], ids[0] + PROJECTS)), f"project ids are not consecutive: {ids}"
        self.first_project = ids[0]
        # the control: ben owns 200 tasks of the same table, one project (timed alternately with ana's requests)
        self.sql([f"INSERT INTO projects (user_id, name, position) VALUES ({CONTROL}, 'Control project', 0)"])
        self.control_project = self.query(f"SELECT MAX(id) FROM projects WHERE user_id = {CONTROL}")[0][0]
        self.fill_rows(CONTROL, self.control_project, 1, 1, CONTROL_ROWS)
        self.control_task = self.query(f"SELECT MAX(id) FROM tasks WHERE user_id = {CONTROL}")[0][0] - 100

    def fill(self, rows: int) -> float:
        """Add tasks up to `rows` in one statement; returns the seconds it took (ANALYZE included)."""
        start, end = self.rows + 1, rows
        if end < start:
            raise ValueError("sizes must grow")
        began = time.perf_counter()
        self.fill_rows(USER, self.first_project, PROJECTS, start, end)
        self.sql(["ANALYZE TABLE tasks" if self.backend == "mariadb" else "ANALYZE"])
        self.rows = rows
        return time.perf_counter() - began

    def fill_rows(self, user: int, first_project: int, projects: int, start: int, end: int) -> None:
        """Tasks numbered start..end for `user`, spread over its `projects` consecutive projects, in one statement."""
        columns = "INSERT INTO tasks (user_id, project_id, title, done, position) "
        if self.backend == "mariadb":
            row = f"{user}, {first_project} + seq % {projects}, CONCAT('Task ', seq), seq % 3 = 0, seq * 7919 % 1000003"
            self.sql([f"{columns}SELECT {row} FROM seq_{start}_to_{end}"])
        else:
            row = f"{user}, {first_project} + n % {projects}, 'Task ' || n, n % 3 = 0, n * 7919 % 1000003"
            self.sql(
                [
                    f"WITH RECURSIVE s(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM s WHERE n < {end}) "
                    f"{columns}SELECT {row} FROM s"
                ]
            )

    def sql(self, statements: list[str]) -> None:
        if self.backend == "sqlite":
            with sqlite3.connect(self.sqlite_file, timeout=60) as conn:
                for s in statements:
                    conn.execute(s)
            return
        for s in statements:
            asyncio.run(bp._admin(s, self.database))

    def query(self, sql: str) -> list[tuple]:  # type: ignore[type-arg]
        if self.backend == "sqlite":
            with sqlite3.connect(self.sqlite_file, timeout=60) as conn:
                return list(conn.execute(sql))
        return asyncio.run(_mariadb_rows(sql, self.database))

    # ---- the gateway ----------------------------------------------------------------------------------
    def start(self) -> None:
        self.port = procs.free_port()
        cmd = [str(bp.BIN / "sogoway"), "--port", str(self.port), "--workers", "1"]
        self.proc = procs.start(cmd, self.env(), self.root / "sogoway.out")
        procs.wait_until(lambda: procs.port_open(self.port), self.proc, "sogoway")

    def stop(self) -> None:
        if self.proc is not None:
            procs.stop(self.proc)
        if self.backend == "mariadb":
            asyncio.run(bp._admin(f"DROP DATABASE IF EXISTS `{self.database}`"))


async def _mariadb_rows(sql: str, database: str) -> list[tuple]:  # type: ignore[type-arg]
    conn = await bp.connect(database)
    try:
        async with conn.cursor() as cur:
            await cur.execute(sql)
            return list(await cur.fetchall())
    finally:
        conn.close()


def _statements_sys_path() -> None:
    if str(bp.ROOT / "src") not in sys.path:
        sys.path.insert(0, str(bp.ROOT / "src"))


def statements(target: Target) -> dict[str, tuple[str, dict[str, object]]]:
    """The SQL the gateway runs for each list form (its own planner and SQL builder, the bench's schema)."""
    _statements_sys_path()
    from urllib.parse import parse_qsl, urlsplit

    from adapters.config.schema_file import load_schema
    from adapters.sql.core_sql import CoreTableSql
    from domain.principal import Principal
    from domain.query.cursor import codec_for
    from domain.query.listing import parse_list_params
    from domain.query.plan import SelectPlan, plan_list, table_scope

    secret = (target.root / "secrets" / "prokov_jwt_secret").read_bytes().strip()
    schema = load_schema(target.root / "config" / "apps" / "prokov" / "schema.yaml")
    tasks, projects = schema.tables["tasks"], schema.tables["projects"]
    ana = Principal(user_id=USER, app="prokov", role="user")
    sql = CoreTableSql()
    out: dict[str, tuple[str, dict[str, object]]] = {}
    for form, path in FORMS.items():
        if form == "show" or form in INFO:
            continue
        cursor = middle_cursor(target, USER, target.rows)
        query = parse_qsl(urlsplit(path.format(project=target.first_project + 1, cursor=cursor)).query)
        plan = plan_list(tasks, parse_list_params(query), table_scope(tasks, ana), codec_for(secret))
        stmt = sql.select("mysql", tasks, plan)
        out[form] = (stmt.sql, stmt.params)
    ids = tuple(range(target.first_project, target.first_project + PROJECTS))
    include = SelectPlan(
        table="projects",
        columns=projects.visible_fields(),
        scope=table_scope(projects, ana),
        sort=(("id", False),),
        parent_in=("id", ids),
    )
    stmt = sql.select("mysql", projects, include)
    out["include (its projects)"] = (stmt.sql, stmt.params)
    show = SelectPlan(table="tasks", columns=tasks.visible_fields(), scope=table_scope(tasks, ana), key=1)
    stmt = sql.select("mysql", tasks, show)
    out["show"] = (stmt.sql, stmt.params)
    return out


def explain(target: Target) -> dict[str, str]:
    """MariaDB's verdict on each form's statement: an index range cut by the page, or a scan and a sort."""
    from domain.query.explain import explain_text, read_plan

    verdicts: dict[str, str] = {}
    for form, (text, params) in statements(target).items():
        positional = re.sub(r":(\w+)", lambda m, p=params: _literal(p[m.group(1)]), text)  # type: ignore[misc]
        rows = target.query(f"EXPLAIN FORMAT=JSON {positional}")
        verdict = read_plan(explain_text([{"plan": rows[0][0]}]), 51)
        verdicts[form] = verdict.describe() if verdict else "no plan"
    return verdicts


def _literal(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _get(client: httpx.Client, path: str) -> float:
    began = time.perf_counter()
    r = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    if r.status_code != 200:
        raise RuntimeError(f"GET {path}: {r.status_code} {r.text[:300]}")
    return elapsed


def timed(
    client: httpx.Client, path: str, control: httpx.Client, control_path: str, requests: int, warmup: int
) -> tuple[list[float], list[float]]:
    """Milliseconds of `requests` GETs of `path`, and of the same form for the control user (200 rows of the same
    table), alternated request by request so both see the same load. Every answer must be 200."""
    times: list[float] = []
    base: list[float] = []
    for i in range(warmup + requests):
        t, c = _get(client, path), _get(control, control_path)
        if i >= warmup:
            times.append(t)
            base.append(c)
    return times, base


def check_page(client: httpx.Client, target: Target) -> None:
    """Before anything is timed: every form answers what it should (a fast error would be a lie)."""
    body = client.get(FORMS["list"]).json()
    assert len(body["data"]) == min(50, target.rows) and body["meta"]["has_more"] == (target.rows > 50), body["meta"]
    inc = client.get(FORMS["include"]).json()["data"][0]
    assert inc["project"]["id"] == inc["project_id"], inc
    project = target.first_project + 1
    filtered = client.get(FORMS["filtered list"].format(project=project)).json()["data"]
    assert filtered and all(r["project_id"] == project for r in filtered), filtered[:2]
    ordered = [r["position"] for r in client.get(FORMS["sorted list"]).json()["data"]]
    assert ordered == sorted(ordered, reverse=True), ordered
    deep = client.get(FORMS["cursor page (middle)"].format(cursor=middle_cursor(target, USER, target.rows)))
    assert deep.status_code == 200 and len(deep.json()["data"]) == min(50, target.rows - target.rows // 2 - 1), (
        deep.text
    )


def middle_cursor(target: Target, user: int, rows: int) -> str:
    """The cursor `meta.next` would hold after the row in the middle of `user`'s list (made with the app's key)."""
    _statements_sys_path()
    from domain.query.cursor import codec_for

    position, key = target.query(
        f"SELECT position, id FROM tasks WHERE user_id = {user} ORDER BY position, id LIMIT 1 OFFSET {rows // 2}"
    )[0]
    binding = repr(("tasks", (("position", False), ("id", False)), ()))
    secret = (target.root / "secrets" / "prokov_jwt_secret").read_bytes().strip()
    return codec_for(secret).encode(binding, [position, key])


def _client(port: int, email: str) -> httpx.Client:
    login = httpx.post(
        f"http://127.0.0.1:{port}/api/auth/login", headers=HOST, json={"email": email, "password": "demo1234"}
    )
    login.raise_for_status()
    headers = {**HOST, "Authorization": f"Bearer {login.json()['data']['token']}"}
    return httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=120)


Figures = dict[str, dict[int, dict[str, float]]]  # form -> size -> {"ms", "median_ms", "control_ms", ...}


def _summary(times: list[float], control: list[float]) -> dict[str, float]:
    """The fastest request is the figure: on a shared machine other processes' bursts land on some requests and
    only add time; what is compared is the cost of the statement, which every request pays. Medians are kept."""
    return {
        "ms": min(times),
        "median_ms": statistics.median(times),
        "control_ms": min(control),
        "control_median_ms": statistics.median(control),
    }


def measure(target: Target, sizes: list[int], a: argparse.Namespace, explains: dict[str, dict[int, str]]) -> Figures:
    figures: Figures = {form: {} for form in FORMS}
    with _client(target.port, "ana@prokov.test") as client, _client(target.port, "ben@prokov.test") as control:
        for size in sizes:
            took = target.fill(size)
            print(f"  {target.backend}: {size:,} tasks (filled in {took:.1f} s)", flush=True)
            check_page(client, target)
            task = target.query(f"SELECT MAX(id) FROM tasks WHERE user_id = {USER}")[0][0] - size // 2
            if target.backend == "mariadb":
                for form, verdict in explain(target).items():
                    print(f"    EXPLAIN {form}: {verdict}", flush=True)
                    explains.setdefault(form, {})[size] = verdict
            cursor, control_cursor = middle_cursor(target, USER, size), middle_cursor(target, CONTROL, CONTROL_ROWS)
            for form, path in FORMS.items():
                url = path.format(project=target.first_project + 1, task=task, cursor=cursor, offset=size // 2)
                control_url = path.format(
                    project=target.control_project,
                    task=target.control_task,
                    cursor=control_cursor,
                    offset=CONTROL_ROWS // 2,
                )
                many = a.requests if form not in INFO else max(5, a.requests // 4)  # the slow ones: fewer
                figures[form][size] = _summary(*timed(client, url, control, control_url, many, min(a.warmup, many)))
                ms, control_ms = figures[form][size]["ms"], figures[form][size]["control_ms"]
                first = figures[form][sizes[0]]["ms"]
                print(
                    f"    {form:<14} {ms:8.2f} ms  x{ms / first:5.2f} of the first size, "
                    f"x{ms / control_ms:5.2f} of 200 rows now ({control_ms:.2f} ms)",
                    flush=True,
                )
    return figures


def report(results: dict[str, object], sizes: list[int], limit: float) -> tuple[str, list[str]]:
    lines = [
        "bench-scale: fastest ms per request (median in brackets) of each form at N rows;",
        "  xA = ratio to the first size's figure, xB = ratio to the same form over 200 rows, timed alternately",
        "  (the check uses xB: both sides see the same load on a shared machine)",
        "",
    ]
    failures: list[str] = []
    for backend, figures in results["backends"].items():  # type: ignore[attr-defined]
        lines.append(f"{backend}:")
        lines.append("| form | " + " | ".join(f"{s:,}" for s in sizes) + " |")
        lines.append("|---|" + "---:|" * len(sizes))
        for form, by_size in figures.items():
            first = by_size[sizes[0]]["ms"]
            cells = []
            for s in sizes:
                ms, control = by_size[s]["ms"], by_size[s]["control_ms"]
                median = by_size[s]["median_ms"]
                cells.append(f"{ms:.2f} ms [{median:.2f}] (xA {ms / first:.2f}, xB {ms / control:.2f})")
                if s != sizes[0] and ms / control > limit and form not in INFO:
                    failures.append(f"{backend} {form} at {s:,} rows: xB {ms / control:.2f} (limit x{limit})")
            lines.append(f"| {form}{' (not held to the limit)' if form in INFO else ''} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines), failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="200,20000,200000,1000000", help="row counts, growing (first = baseline)")
    ap.add_argument("--backends", default="sqlite,mariadb")
    ap.add_argument("--requests", type=int, default=41, help="timed requests per form and size")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--limit", type=float, default=2.0, help="fail when a form's ratio exceeds this")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    results: dict[str, object] = {
        "machine": machine(),
        "settings": vars(a),
        "backends": {},
        "load_average_at_start": os.getloadavg(),
    }
    for backend in a.backends.split(","):
        root = Path(tempfile.mkdtemp(prefix=f"sogoms-scale-{backend}-"))
        target = Target(backend, root)
        print(f"bench-scale: {backend} in {root}", flush=True)
        try:
            target.create()
            target.start()
            explains: dict[str, dict[int, str]] = {}
            results["backends"][backend] = measure(target, sizes, a, explains)  # type: ignore[index]
            if explains:
                results["explain"] = explains
        finally:
            target.stop()
            shutil.rmtree(root, ignore_errors=True)
    results["load_average_at_end"] = os.getloadavg()
    text, failures = report(results, sizes, a.limit)
    text += f"\nload average (1, 5, 15 min): {results['load_average_at_start']} at the start, "
    text += f"{results['load_average_at_end']} at the end (2 cores)\n"
    results["failures"] = failures
    if failures:
        text += "\nFAILED: a documented list form costs more than the page:\n" + "\n".join(f"  {f}" for f in failures)
    else:
        text += f"\nevery form within x{a.limit} of its {sizes[0]:,}-row latency"
    save(json.loads(json.dumps(results, default=str)), text, prefix="scale-")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
