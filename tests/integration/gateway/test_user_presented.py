"""The user in login, refresh and /me is presented like every other row: ISO date-times, no hidden field."""

from __future__ import annotations

import re

import pytest

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


@pytest.mark.parametrize("transport", ["inproc"], indirect=True)
def test_user_rows_use_the_api_date_format_everywhere(prokov) -> None:
    login = prokov.login("ana@prokov.test")
    me = prokov.get("auth/me", login["token"]).json()["data"]["user"]
    assert ISO_UTC.match(me["created_at"]), me
    assert "password" not in me
    assert login["user"] == me
    refreshed = prokov.post("auth/refresh", {"refresh_token": login["refresh_token"]}).json()["data"]
    assert refreshed["user"] == me
    project = prokov.get("projects", login["token"]).json()["data"][0]
    assert ISO_UTC.match(project["created_at"]), project
