"""The seed's Phase 6 session, on each database and each transport."""


def test_login_me_and_401(prokov):
    data = prokov.login("ana@prokov.test")
    assert data["user"]["email"] == "ana@prokov.test"
    assert "password" not in data["user"]
    assert [p["name"] for p in data["projects"]] == ["Roof", "Website"]
    me = prokov.get("auth/me", token=data["token"])
    assert me.status_code == 200
    assert me.json() == {"success": True, "message": "OK", "data": {"user": me.json()["data"]["user"]}}
    assert me.json()["data"]["user"]["id"] == 1
    anonymous = prokov.get("auth/me")
    assert anonymous.status_code == 401
    assert anonymous.json() == {"success": False, "error": {"code": "UNAUTHORIZED", "message": "Missing bearer token"}}
