"""Logout really revokes; refresh tokens rotate, and a replayed one kills its whole family; nobody ends another's session."""

from __future__ import annotations

from .conftest import refused


def refresh(app, token: str):
    return app.post("auth/refresh", {"refresh_token": token})


def test_an_access_token_is_dead_after_logout(prokov):
    session = prokov.login("ana@prokov.test")
    assert prokov.get("tasks", token=session["token"]).status_code == 200
    assert prokov.post("auth/logout", None, token=session["token"]).status_code == 200
    refused(prokov.get("auth/me", token=session["token"]))
    refused(prokov.get("tasks", token=session["token"]))
    refused(prokov.post("auth/logout", None, token=session["token"]))
    refused(refresh(prokov, session["refresh_token"]))


def test_logout_leaves_other_sessions_alone(prokov):
    ana, ben = prokov.login("ana@prokov.test"), prokov.login("ben@prokov.test")
    assert prokov.post("auth/logout", None, token=ana["token"]).status_code == 200
    assert prokov.get("auth/me", token=ben["token"]).status_code == 200
    assert refresh(prokov, ben["refresh_token"]).status_code == 200


def test_a_reused_refresh_token_revokes_its_whole_family(prokov):
    first = prokov.login("ana@prokov.test")
    rotated = refresh(prokov, first["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()["data"]
    assert prokov.get("auth/me", token=second["token"]).status_code == 200

    refused(refresh(prokov, first["refresh_token"]))  # the replay
    refused(refresh(prokov, second["refresh_token"]))  # the new refresh token died with its family
    refused(prokov.get("auth/me", token=second["token"]))  # and the access token issued with it


def test_a_replay_does_not_touch_another_family_of_the_same_user(prokov):
    phone, laptop = prokov.login("ana@prokov.test"), prokov.login("ana@prokov.test")
    assert refresh(prokov, phone["refresh_token"]).status_code == 200
    refused(refresh(prokov, phone["refresh_token"]))
    assert refresh(prokov, laptop["refresh_token"]).status_code == 200


def test_logout_with_anothers_refresh_token_does_not_revoke_it(prokov):
    ana, ben = prokov.login("ana@prokov.test"), prokov.login("ben@prokov.test")
    r = prokov.post("auth/logout", {"refresh_token": ben["refresh_token"]}, token=ana["token"])
    assert r.status_code == 200, r.text
    refused(prokov.get("auth/me", token=ana["token"]))  # Ana's own session did end
    assert prokov.get("auth/me", token=ben["token"]).status_code == 200
    rotated = refresh(prokov, ben["refresh_token"])
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["data"]["user"]["email"] == "ben@prokov.test"
    assert refresh(prokov, rotated.json()["data"]["refresh_token"]).status_code == 200  # no replay was seen


def test_logout_with_ones_own_other_refresh_token_revokes_that_family_too(prokov):
    here, there = prokov.login("ana@prokov.test"), prokov.login("ana@prokov.test")
    r = prokov.post("auth/logout", {"refresh_token": there["refresh_token"]}, token=here["token"])
    assert r.status_code == 200, r.text
    refused(refresh(prokov, there["refresh_token"]))
    refused(refresh(prokov, here["refresh_token"]))


def test_logout_after_a_rotation_ends_the_whole_family(prokov):
    first = prokov.login("ana@prokov.test")
    second = refresh(prokov, first["refresh_token"]).json()["data"]
    assert prokov.post("auth/logout", None, token=second["token"]).status_code == 200
    refused(refresh(prokov, second["refresh_token"]))
    refused(prokov.get("auth/me", token=first["token"]))  # the older access token of the family too
