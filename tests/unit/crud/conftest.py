"""The CRUD use cases over query files, on a fake database: Ana (1) and Ben (2) each own projects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from application.crud.catalog import TableCatalog
from application.crud.commands import CreateResource, DeleteResource, ListResource, ShowResource, UpdateResource
from application.crud.query_resources import QueryResources
from application.crud.resources import Resources
from application.crud.schema_resources import SchemaResources
from application.crypt.fields import FieldSealer
from domain.app import App, AppSettings, DatabaseSettings
from domain.principal import Principal
from domain.query.files import ReadQuery, ResourceQueries, WriteSpec
from domain.query.listing import ListParams
from domain.schema.model import Field, FieldType, Schema, Table
from tests.fakes.database import FakeDatabase, UnreachableTableSql
from tests.fakes.logs import FakeAuditTrail
from tests.fakes.push import FakeResourceEvents

OWN = {"default": "user_id = :user_id", "admin": ""}

PROJECTS = ResourceQueries(
    list=ReadQuery(
        "SELECT id, user_id, name, budget, position, archived FROM projects",
        filters={**OWN, "viewer": "archived = 0"},
        order="position ASC, id ASC",
    ),
    show=ReadQuery("SELECT id, user_id, name, budget, position, archived FROM projects WHERE id = :id", filters=OWN),
    create=WriteSpec(table="projects", fields=("user_id", "name", "budget", "position")),
    update=WriteSpec(table="projects", fields=("user_id", "name", "budget", "position"), filters=OWN),
    delete=WriteSpec(table="projects", filters=OWN),
)
SECRETS = ResourceQueries(list=ReadQuery("SELECT id, name FROM projects", filters={"admin": ""}))
EXPENSES = ResourceQueries(
    list=ReadQuery("SELECT id, org_id, label FROM expenses", filters={"default": "org_id = :org_id"}),
    create=WriteSpec(table="expenses", fields=("org_id", "label")),
)
READ_ONLY = ResourceQueries(list=ReadQuery("SELECT id, name FROM projects"))

TABLES = Schema(
    {
        "projects": Table(
            "projects",
            {
                "id": Field(FieldType.INT, "id", primary=True, auto=True),
                "user_id": Field(FieldType.INT, "user_id", nullable=False, filter="owner"),
                "name": Field(FieldType.STRING, "name", nullable=False, max_length=100),
                "budget": Field(FieldType.FLOAT, "budget"),
                "position": Field(FieldType.INT, "position", default=0),
                "archived": Field(FieldType.BOOL, "archived", default=False),
            },
        ),
        "expenses": Table(
            "expenses",
            {
                "id": Field(FieldType.INT, "id", primary=True, auto=True),
                "org_id": Field(FieldType.INT, "org_id", nullable=False),
                "label": Field(FieldType.STRING, "label", nullable=False),
            },
        ),
    }
)

DDL = """
CREATE TABLE projects (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INT NOT NULL, name TEXT NOT NULL,
                       budget REAL, position INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0);
CREATE TABLE expenses (id INTEGER PRIMARY KEY AUTOINCREMENT, org_id INT NOT NULL, label TEXT NOT NULL);
INSERT INTO projects (user_id, name, budget, position, archived) VALUES
  (1, 'Roof', 1200.5, 2, 0), (1, 'Website', NULL, 1, 1), (2, 'Garden', 300, 1, 0);
INSERT INTO expenses (org_id, label) VALUES (5, 'Paint'), (6, 'Lift');
"""

ANA = Principal(user_id=1, app="shop", role="user", email="ana@shop.test")
BEN = Principal(user_id=2, app="shop", role="user", email="ben@shop.test")
ROOT = Principal(user_id=9, app="shop", role="admin")


@dataclass
class CrudWorld:
    app: App
    db: FakeDatabase
    audit: FakeAuditTrail
    resources: Resources
    events: FakeResourceEvents

    async def names(self, who: Principal, resource: str = "projects") -> list[str]:
        page = await self.resources.page(ListResource(self.app, who, resource))
        return [r["name"] for r in page.rows]

    async def show(self, who: Principal, key: str) -> dict[str, Any]:
        return await self.resources.show(ShowResource(self.app, who, "projects", key))

    async def create(self, who: Principal, body: dict[str, Any], resource: str = "projects") -> Any:
        return await self.resources.create(CreateResource(self.app, who, resource, body))

    async def update(self, who: Principal, key: str, body: dict[str, Any]) -> Any:
        return await self.resources.update(UpdateResource(self.app, who, "projects", key, body))

    async def delete(self, who: Principal, key: str) -> Any:
        return await self.resources.delete(DeleteResource(self.app, who, "projects", key))

    def row(self, key: int) -> dict[str, Any] | None:
        rows = self.db.run("shop", "SELECT * FROM projects WHERE id = :id", {"id": key})
        return rows[0] if rows else None

    def list_cmd(self, who: Principal, **params: Any) -> ListResource:
        return ListResource(self.app, who, "projects", ListParams(**params))


@pytest.fixture
def crud() -> CrudWorld:
    db = FakeDatabase({"shop": TABLES})
    db.conn("shop").executescript(DDL)
    audit = FakeAuditTrail()
    events = FakeResourceEvents()
    catalog = TableCatalog(db)
    resources = Resources(
        QueryResources(db, catalog, FieldSealer()),
        SchemaResources(db, UnreachableTableSql(), FieldSealer()),
        catalog,
        audit,
        events,
    )
    settings = AppSettings(app="shop", hosts=("shop.test",), database=DatabaseSettings(url="sqlite+aiosqlite://"))
    app = App(
        settings=settings,
        resources={"projects": PROJECTS, "secrets": SECRETS, "expenses": EXPENSES, "read_only": READ_ONLY},
        auth=None,
        jwt_secret=b"k" * 32,
    )
    return CrudWorld(app, db, audit, resources, events)
