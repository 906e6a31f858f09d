"""A body never chooses the owner, the id or the role of a row: they come from the token and the database."""

from __future__ import annotations


def test_create_ignores_user_id_and_id_in_the_body(prokov):
    ana, ben = prokov.token("ana@prokov.test"), prokov.token("ben@prokov.test")
    r = prokov.post("tasks", {"title": "Planted", "user_id": 2, "id": 99}, token=ana)
    assert r.status_code == 201, r.text
    row = r.json()["data"]
    assert row["user_id"] == 1 and row["id"] != 99
    assert prokov.get(f"tasks/{row['id']}", token=ana).json()["data"]["user_id"] == 1
    assert prokov.get(f"tasks/{row['id']}", token=ben).status_code == 404
    assert "Planted" not in [t["title"] for t in prokov.get("tasks", token=ben).json()["data"]]
    assert prokov.get("tasks/99", token=ana).status_code == 404


def test_update_cannot_give_a_row_away_or_renumber_it(prokov):
    ana, ben = prokov.token("ana@prokov.test"), prokov.token("ben@prokov.test")
    for method in (prokov.patch, prokov.put):
        r = method("tasks/1", {"title": "Order tiles", "user_id": 2, "id": 77}, token=ana)
        assert r.status_code == 200, r.text  # the owner and id in the body are ignored, not an error
        assert (r.json()["data"]["id"], r.json()["data"]["user_id"]) == (1, 1)
        shown = prokov.get("tasks/1", token=ana)
        assert shown.status_code == 200 and shown.json()["data"]["user_id"] == 1
        assert prokov.get("tasks/1", token=ben).status_code == 404
        assert prokov.get("tasks/77", token=ana).status_code == 404


def test_register_cannot_choose_its_role_or_id(prokov):
    body = {"email": "mallory@prokov.test", "name": "Mallory", "password": "a long password", "role": "admin", "id": 1}
    r = prokov.post("auth/register", body)
    assert r.status_code == 201, r.text
    user = r.json()["data"]["user"]
    assert user["role"] == "user" and user["id"] != 1
    me = prokov.get("auth/me", token=r.json()["data"]["token"]).json()["data"]["user"]
    assert me["role"] == "user" and me["email"] == "mallory@prokov.test"
    # an admin would see every user's tasks
    assert prokov.get("tasks", token=r.json()["data"]["token"]).json()["data"] == []
    ana = prokov.login("ana@prokov.test")["user"]
    assert (ana["id"], ana["email"], ana["role"]) == (1, "ana@prokov.test", "user")


def test_an_owner_cannot_move_their_record_to_another_organization(koprogo):
    owner = koprogo.token("owner@jardins.test")
    # the organization is the token's (ignored in the body); the account a record is linked to is not the caller's
    # to give away (test_write_fields.py)
    r = koprogo.patch("owners/1", {"phone": "+32 470 99 99 99", "organization_id": 2}, token=owner)
    assert r.status_code == 200, r.text
    row = koprogo.get("owners/1", token=koprogo.token("admin@koprogo.com")).json()["data"]
    assert (row["organization_id"], row["user_id"], row["phone"]) == (1, 4, "+32 470 99 99 99")


def test_a_filter_on_the_owner_column_cannot_widen_the_list(prokov):
    ben = prokov.token("ben@prokov.test")
    for params in ({"user_id": "1"}, {"user_id[in]": "1,2"}, {"user_id[ne]": "0"}, {"user_id[null]": "false"}):
        r = prokov.get("projects", token=ben, params=params)
        assert r.status_code in (200, 400), r.text
        if r.status_code == 200:
            assert {p["user_id"] for p in r.json()["data"]} <= {2}, params
