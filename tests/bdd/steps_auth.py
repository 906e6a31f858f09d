"""Steps of features/auth/: register, sign in, refresh, sign out, and the current user."""

from __future__ import annotations

import re
from typing import Any

from pytest_bdd import given, parsers, then, when

from .steps_common import World

LABELS = {"tasks": "title"}  # the field a row is known by in a feature (default: name)


def register(world: World, email: str, name: str, password: str | None) -> Any:
    body: dict[str, Any] = {"email": email, "name": name}
    if password is not None:
        body["password"] = password
        world.passwords[email] = password
    return world.answered(world.app.post("auth/register", body))


@when(parsers.parse('"{email}" registers with the name "{name}" and the password "{password}"'))
def registers(world: World, email: str, name: str, password: str) -> None:
    register(world, email, name, password)


@when(parsers.parse('"{email}" registers with the name "{name}" and no password'))
def registers_without_password(world: World, email: str, name: str) -> None:
    register(world, email, name, None)


@given(parsers.parse('"{email}" has registered with the password "{password}"'))
def has_registered(world: World, email: str, password: str) -> None:
    response = register(world, email, email.split("@")[0].title(), password)
    assert response.status_code == 201, response.text
    world.sessions[email] = response.json()["data"]


@when(parsers.parse('"{who}" signs in'))
def signs_in(world: World, who: str) -> None:
    email = world.email(who)
    response = world.answered(world.app.post("auth/login", {"email": email, "password": world.password(email)}))
    if response.status_code == 200:
        world.sessions[email] = response.json()["data"]


@when(parsers.parse('"{who}" signs in with the password "{password}"'))
def signs_in_with(world: World, who: str, password: str) -> None:
    world.answered(world.app.post("auth/login", {"email": world.email(who), "password": password}))


@then(parsers.parse('"{who}" still signs in with the password "{password}"'))
def still_signs_in(world: World, who: str, password: str) -> None:
    response = world.app.post("auth/login", {"email": world.email(who), "password": password})
    assert response.status_code == 200, response.text
    assert response.json()["data"]["user"]["email"] == world.email(who)


@then(parsers.parse('the answer carries a bearer token, a refresh token and the user "{email}"'))
def carries_session(world: World, email: str) -> None:
    data = world.answer.json()["data"]
    assert data["token_type"] == "Bearer"
    assert data["token"].count(".") == 2
    assert isinstance(data["refresh_token"], str) and len(data["refresh_token"]) >= 32
    assert data["expires_in"] > 0
    assert data["user"]["email"] == email


@then("the user in the answer shows no password")
def no_password(world: World) -> None:
    user = world.answer.json()["data"]["user"]
    assert "password" not in user
    assert not any(isinstance(v, str) and v.startswith("$argon2") for v in user.values()), user


@then(parsers.parse('the token of the answer opens "{path}" as "{email}" with the role "{role}"'))
def token_opens(world: World, path: str, email: str, role: str) -> None:
    response = world.app.get(path, token=world.answer.json()["data"]["token"])
    assert response.status_code == 200, response.text
    user = response.json()["data"]["user"]
    assert (user["email"], user["role"]) == (email, role)


@then(parsers.parse('the answer includes the {resource} "{labels}"'))
def includes(world: World, resource: str, labels: str) -> None:
    rows = world.answer.json()["data"][resource]
    field = LABELS.get(resource, "name")
    assert [r[field] for r in rows] == labels.split(", ")


@then(parsers.parse('the answer shows the user "{email}" with the role "{role}"'))
def shows_user(world: World, email: str, role: str) -> None:
    user = world.answer.json()["data"]["user"]
    assert (user["email"], user["role"]) == (email, role)
    assert "password" not in user


def refresh(world: World, who: str, refresh_token: str) -> Any:
    response = world.answered(world.app.post("auth/refresh", {"refresh_token": refresh_token}))
    if response.status_code == 200:
        email = world.email(who)
        world.sessions.setdefault(f"{email}#first", world.sessions[email])
        world.sessions[email] = response.json()["data"]
    return response


@when(parsers.parse('"{who}" refreshes her session'))
def refreshes(world: World, who: str) -> None:
    refresh(world, who, world.sessions[world.email(who)]["refresh_token"])


@given(parsers.parse('"{who}" has refreshed her session'))
def has_refreshed(world: World, who: str) -> None:
    assert refresh(world, who, world.sessions[world.email(who)]["refresh_token"]).status_code == 200


@when(parsers.parse('"{who}" refreshes with her first refresh token again'))
def refreshes_again(world: World, who: str) -> None:
    first = world.sessions[f"{world.email(who)}#first"]["refresh_token"]
    world.answered(world.app.post("auth/refresh", {"refresh_token": first}))


@then("the refresh token of the answer is a new one")
def new_refresh_token(world: World) -> None:
    email = world.answer.json()["data"]["user"]["email"]
    assert world.answer.json()["data"]["refresh_token"] != world.sessions[f"{email}#first"]["refresh_token"]
    assert world.answer.json()["data"]["token"] != world.sessions[f"{email}#first"]["token"]


@when(parsers.parse('"{who}" signs out'))
def signs_out(world: World, who: str) -> None:
    world.answered(world.app.post("auth/logout", None, token=world.token(who)))


@given(parsers.parse('"{who}" has signed out'))
def has_signed_out(world: World, who: str) -> None:
    assert world.app.post("auth/logout", None, token=world.token(who)).status_code == 200


@then(parsers.parse('the user\'s "{field}" is written like every date-time of the API'))
def user_datetime(world: World, field: str) -> None:
    """RFC 3339 in UTC, as the CRUD routes write a date-time, whatever the database."""
    user = world.answer.json()["data"]["user"]
    rows = world.app.get("projects", token=world.token(user["email"])).json()["data"]
    rfc3339 = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
    assert re.fullmatch(rfc3339, rows[0]["created_at"]), rows[0]
    assert re.fullmatch(rfc3339, str(user[field])), user
