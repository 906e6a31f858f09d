"""Steps every feature of the gateway shares: which app, who is signed in, and what the answer was."""

from __future__ import annotations

from typing import Any

import parse
import pytest
from pytest_bdd import given, parsers, then, when

from tests.support.api import DEMO_PASSWORDS, AppClient


@parse.with_pattern(r'[^"]*')
def _quoted(text: str) -> str:
    return text


def step(pattern: str) -> parsers.parse:
    """A step pattern where `{name:q}` stops at a double quote (so `opens "x"` never eats `opens "x" on "y"`)."""
    return parsers.parse(pattern, extra_types={"q": _quoted})


class World:
    """What one scenario has seen so far: the apps, each user's session, the rows it made, the last answer."""

    def __init__(self, http: Any) -> None:
        self.http = http
        self.apps: dict[str, AppClient] = {}
        self.app = self.on("prokov")
        self.sessions: dict[str, dict[str, Any]] = {}
        self.passwords: dict[str, str] = {}
        self.rows: dict[tuple[str, str, str], Any] = {}  # (app, resource, label): id
        self.answers: list[Any] = []

    def on(self, name: str) -> AppClient:
        if name not in self.apps:
            self.apps[name] = AppClient(self.http, f"{name}.localhost")
        return self.apps[name]

    @property
    def answer(self) -> Any:
        return self.answers[-1]

    def answered(self, response: Any) -> Any:
        self.answers.append(response)
        return response

    def email(self, who: str) -> str:
        return who if "@" in who else f"{who}@{self.app.host.split('.')[0]}.test"

    def password(self, email: str) -> str:
        return self.passwords.get(email) or DEMO_PASSWORDS[email]

    def token(self, who: str) -> str:
        return str(self.sessions[self.email(who)]["token"])

    def sign_in(self, who: str, app: AppClient | None = None) -> dict[str, Any]:
        client = app or self.app
        email = self.email(who)
        response = client.post("auth/login", {"email": email, "password": self.password(email)})
        assert response.status_code == 200, response.text
        self.sessions[email] = response.json()["data"]
        return self.sessions[email]


@pytest.fixture
def world(http: Any) -> World:
    return World(http)


@given(parsers.parse('the app "{app}"'))
def the_app(world: World, app: str) -> None:
    world.app = world.on(app)


@given(parsers.parse('"{who}" is signed in'))
def signed_in(world: World, who: str) -> None:
    world.sign_in(who)


@given(parsers.parse('"{who}" is signed in on "{app}"'))
def signed_in_on(world: World, who: str, app: str) -> None:
    world.app = world.on(app)
    world.sign_in(who)


@when(step('"{who:q}" opens "{path:q}"'))
def opens(world: World, who: str, path: str) -> None:
    world.answered(world.app.get(path, token=world.token(who)))


@when(step('"{who:q}" opens "{path:q}" on "{app:q}"'))
def opens_on(world: World, who: str, path: str, app: str) -> None:
    world.answered(world.on(app).get(path, token=world.token(who)))


@when(parsers.parse('a visitor opens "{path}" without a token'))
def opens_anonymously(world: World, path: str) -> None:
    world.answered(world.app.get(path))


@when(parsers.parse('a visitor opens "{path}" with the token "{token}"'))
def opens_with_token(world: World, path: str, token: str) -> None:
    world.answered(world.app.get(path, token=token))


@then(parsers.parse("the answer is {status:d}"))
def answer_status(world: World, status: int) -> None:
    assert world.answer.status_code == status, world.answer.text


@then(parsers.parse('the answer is {status:d} with the message "{message}"'))
def answer_success(world: World, status: int, message: str) -> None:
    assert world.answer.status_code == status, world.answer.text
    body = world.answer.json()
    assert body["success"] is True and body["message"] == message, body
    assert set(body) <= {"success", "message", "data", "meta"}


def error_of(response: Any, status: int, code: str) -> dict[str, Any]:
    """The error of an answer, checked against the envelope: nothing but success=false and the error."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"success", "error"}, body
    assert body["success"] is False
    error: dict[str, Any] = body["error"]
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"].strip(), error
    assert set(error) <= {"code", "message", "fields"}, error
    return error


@then(step('the answer is {status:d} "{code:q}"'))
def answer_error(world: World, status: int, code: str) -> None:
    error_of(world.answer, status, code)


@then(parsers.parse('the answer is {status:d} "{code}" naming the field "{field}"'))
def answer_names_field(world: World, status: int, code: str, field: str) -> None:
    error = error_of(world.answer, status, code)
    assert field in [f["field"] for f in error["fields"]], error
    assert all(f["message"] for f in error["fields"]), error
