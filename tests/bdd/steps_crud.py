"""Steps of features/crud/, isolation/ and errors/: rows of an app's resources, as one user or another."""

from __future__ import annotations

import json
import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from .steps_common import World, step

PLURAL = {"task": "tasks", "project": "projects", "building": "buildings", "expense": "expenses", "owner": "owners"}
LABEL = {"tasks": "title", "expenses": "description", "owners": "last_name"}  # default: name
SEED = {  # ids of the demo rows (config/apps/*/migrations/002_seed.sql) a feature names
    ("prokov", "tasks"): {"Order tiles": 1, "Book the scaffolding": 2, "Pick a domain name": 3, "Buy apple trees": 4},
    ("prokov", "projects"): {"Roof": 1, "Website": 2, "Garden": 3},
    ("koprogo", "buildings"): {"Résidence Les Jardins": 1, "Le Parc": 2, "Tour Horizon": 3},
    ("koprogo", "owners"): {"Leroy": 1, "Petit": 2, "Lambert": 3},
    ("koprogo", "expenses"): {"Elevator maintenance": 1, "Common areas cleaning": 2, "Roof inspection": 3},
}


def _app(world: World) -> str:
    return world.app.host.split(".")[0]


def row_id(world: World, resource: str, label: str) -> Any:
    made = world.rows.get((_app(world), resource, label))
    return made if made is not None else SEED[(_app(world), resource)][label]


def create(world: World, who: str, resource: str, body: dict[str, Any], label: str | None = None) -> Any:
    response = world.answered(world.app.post(resource, body, token=world.token(who)))
    if response.status_code == 201 and label is not None:
        world.rows[(_app(world), resource, label)] = response.json()["data"]["id"]
    return response


@given(parsers.parse('"{who}" created the task "{title}"'))
@when(parsers.parse('"{who}" created the task "{title}"'))
def created_task(world: World, who: str, title: str) -> None:
    assert create(world, who, "tasks", {"title": title}, title).status_code == 201, world.answer.text


@when(parsers.parse('"{who}" creates a task "{title}" in the project "{project}"'))
def creates_task_in(world: World, who: str, title: str, project: str) -> None:
    create(world, who, "tasks", {"title": title, "project_id": row_id(world, "projects", project)})


@when(parsers.parse('"{who}" creates a task "{title}" claiming the owner {owner:d} and the id {key:d}'))
def creates_task_claiming(world: World, who: str, title: str, owner: int, key: int) -> None:
    create(world, who, "tasks", {"title": title, "user_id": owner, "id": key}, title)


@when(parsers.parse('"{who}" creates a building "{name}"'))
def creates_building(world: World, who: str, name: str) -> None:
    body = {"name": name, "address": "1 Rue Neuve", "city": "Namur", "postal_code": "5000"}
    create(world, who, "buildings", body, name)


@when(parsers.parse('"{who}" records an expense "{description}" on the building "{building}"'))
def records_expense(world: World, who: str, description: str, building: str) -> None:
    body = {
        "building_id": row_id(world, "buildings", building),
        "description": description,
        "amount": 99.5,
        "expense_date": "2025-04-01",
    }
    create(world, who, "expenses", body, description)


@when(step('"{who:q}" asks for the {kind} "{label:q}"'))
def asks_for(world: World, who: str, kind: str, label: str) -> None:
    resource = PLURAL[kind]
    world.answered(world.app.get(f"{resource}/{row_id(world, resource, label)}", token=world.token(who)))


@when(parsers.parse('"{who}" asks for a task that does not exist'))
def asks_for_nothing(world: World, who: str) -> None:
    world.answered(world.app.get("tasks/987654", token=world.token(who)))


@then(parsers.parse('both answers are the same 404 "{code}" apart from the id'))
def same_answers(world: World, code: str) -> None:
    theirs, nobodys = world.answers[-2:]
    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json()["error"]["code"] == nobodys.json()["error"]["code"] == code

    def without_ids(response: Any) -> str:
        return re.sub(r"\d+", "#", response.text)

    assert without_ids(theirs) == without_ids(nobodys)


@when(parsers.parse('"{who}" renames the task "{label}" to "{title}"'))
def renames(world: World, who: str, label: str, title: str) -> None:
    key = row_id(world, "tasks", label)
    world.answered(world.app.patch(f"tasks/{key}", {"title": title}, token=world.token(who)))


@when(parsers.parse('"{who}" replaces the task "{label}" with the title "{title}"'))
def replaces(world: World, who: str, label: str, title: str) -> None:
    key = row_id(world, "tasks", label)
    world.answered(world.app.put(f"tasks/{key}", {"title": title}, token=world.token(who)))


@when(step('"{who:q}" deletes the {kind} "{label:q}"'))
def deletes(world: World, who: str, kind: str, label: str) -> None:
    resource = PLURAL[kind]
    world.answered(world.app.delete(f"{resource}/{row_id(world, resource, label)}", token=world.token(who)))


@then(parsers.parse('"{who}" still sees the task "{title}"'))
def still_sees(world: World, who: str, title: str) -> None:
    response = world.app.get(f"tasks/{row_id(world, 'tasks', title)}", token=world.token(who))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["title"] == title


@when(parsers.parse('"{who}" lists the {resource:w}'))
def lists(world: World, who: str, resource: str) -> None:
    world.answered(world.app.get(resource, token=world.token(who)))


@when(parsers.parse('"{who}" lists the {resource:w} with "{query}"'))
def lists_with(world: World, who: str, resource: str, query: str) -> None:
    world.answered(world.app.get(f"{resource}?{query}", token=world.token(who)))


@then(parsers.parse('the list has exactly the {resource:w} "{labels}"'))
def list_has(world: World, resource: str, labels: str) -> None:
    assert world.answer.status_code == 200, world.answer.text
    rows = world.answer.json()["data"]
    assert [r[LABEL.get(resource, "name")] for r in rows] == labels.split(", ")


@then("the list is empty")
def list_empty(world: World) -> None:
    assert world.answer.status_code == 200, world.answer.text
    assert world.answer.json()["data"] == []
    assert world.answer.json()["meta"]["has_more"] is False


@then(parsers.parse("the list says {total:d} rows in all, {limit:d} per page, from {offset:d}"))
def list_meta(world: World, total: int, limit: int, offset: int) -> None:
    meta = world.answer.json()["meta"]
    assert (meta["total"], meta["count"], meta["limit"], meta["offset"]) == (total, "exact", limit, offset)


@when(parsers.parse('"{who}" lists the {resource:w} after the last one shown, {limit:d} at a time'))
def lists_after(world: World, who: str, resource: str, limit: int) -> None:
    cursor = world.answer.json()["meta"]["next"]
    assert cursor, world.answer.json()["meta"]
    world.answered(world.app.get(f"{resource}?limit={limit}&after={cursor}", token=world.token(who)))


@then(parsers.parse("no more {resource:w} follow"))
def nothing_follows(world: World, resource: str) -> None:
    meta = world.answer.json()["meta"]
    assert (meta["has_more"], meta["next"]) == (False, None), meta


@then(parsers.parse('the task has the title "{title}" and the description "{description}"'))
def task_has(world: World, title: str, description: str) -> None:
    assert world.answer.status_code == 200, world.answer.text
    row = world.answer.json()["data"]
    assert (row["title"], row["description"]) == (title, description)


@then(parsers.parse('the new task belongs to "{who}" and its id is not {key:d}'))
def new_task_owner(world: World, who: str, key: int) -> None:
    data = world.answer.json()["data"]
    me = world.sessions[world.email(who)]["user"]["id"]
    assert data["user_id"] == me and data["id"] != key and data["insert_id"] == data["id"]
    stored = world.app.get(f"tasks/{data['id']}", token=world.token(who))
    assert stored.status_code == 200 and stored.json()["data"]["user_id"] == me


@when(step('"{who:q}" opens "{path:q}" on the host "{host:q}"'))
def opens_on_host(world: World, who: str, path: str, host: str) -> None:
    headers = {"Host": host, "Authorization": f"Bearer {world.token(who)}"}
    world.answered(world.http.get(f"/api/{path}", headers=headers))


@when(step('"{who:q}" posts the body \'{body}\' to "{path:q}"'))
def posts_raw(world: World, who: str, body: str, path: str) -> None:
    headers = {"Content-Type": "application/json"}
    world.answered(world.app.request("POST", path, world.token(who), content=body.encode(), headers=headers))


@when(parsers.parse('"{who}" posts a body of {mib:d} MiB to "{path}"'))
def posts_big(world: World, who: str, mib: int, path: str) -> None:
    content = json.dumps({"title": "x", "description": "y" * (mib * 1024 * 1024)}).encode()
    headers = {"Content-Type": "application/json"}
    world.answered(world.app.request("POST", path, world.token(who), content=content, headers=headers))


@when(parsers.parse('"{who}" streams a body of {mib:d} MiB to "{path}"'))
def streams_big(world: World, who: str, mib: int, path: str) -> None:
    def chunks():  # a generator: sent chunked, so the gateway cannot refuse it from a Content-Length
        yield b'{"title": "x", "description": "'
        for _ in range(mib * 16):
            yield b"y" * 65536
        yield b'"}'

    headers = {"Content-Type": "application/json"}
    world.answered(world.app.request("POST", path, world.token(who), content=chunks(), headers=headers))


@when(parsers.parse('"{who}" creates a task with the field "{field}" set to {value}'))
def creates_with_field(world: World, who: str, field: str, value: str) -> None:
    body: dict[str, Any] = {} if field == "description" else {"title": "A task"}
    body[field] = json.loads(value)
    create(world, who, "tasks", body)


@when(parsers.parse('"{who}" creates on "{app}" an organization with the slug "{slug}"'))
def creates_organization(world: World, who: str, app: str, slug: str) -> None:
    world.app = world.on(app)
    create(world, who, "organizations", {"name": "Another office", "slug": slug})


@when(step('"{who:q}" sends "{method:q}" to "{path:q}"'))
def sends(world: World, who: str, method: str, path: str) -> None:
    world.answered(world.app.request(method, path, world.token(who)))
