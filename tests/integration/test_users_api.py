"""Profile and account deletion through the real services."""

import pytest

pytestmark = pytest.mark.integration


def test_profile_shows_storage_used_and_file_count(new_browser, email):
    browser = new_browser()
    browser.register(email, username="Ada")
    empty = browser.request("GET", "/api/users/me").json()
    assert (empty["email"], empty["username"], empty["storageUsed"], empty["fileCount"]) == (email, "Ada", 0, 0)
    browser.upload("a.txt", b"x" * 1000)
    browser.upload("b.txt", b"y" * 24)
    profile = browser.request("GET", "/api/users/me").json()
    assert (profile["storageUsed"], profile["fileCount"]) == (1024, 2)


def test_profile_update_changes_only_given_fields(new_browser, email):
    browser = new_browser()
    browser.register(email, username="Ada", gender="female", dateOfBirth="1990-12-10")
    response = browser.request("PATCH", "/api/users/me", json={"username": "Countess Ada"})
    assert response.status_code == 200
    assert (response.json()["username"], response.json()["gender"]) == ("Countess Ada", "female")
    cleared = browser.request("PATCH", "/api/users/me", json={"gender": None, "dateOfBirth": None}).json()
    assert (cleared["username"], cleared["gender"], cleared["dateOfBirth"]) == ("Countess Ada", None, None)
    assert browser.request("GET", "/api/users/me").json()["username"] == "Countess Ada"


@pytest.mark.parametrize(
    "payload",
    [{"username": "x"}, {"username": None}, {"gender": "robot"}, {"dateOfBirth": "2999-01-01"}, {"email": "new@x.io"}],
)
def test_profile_update_refuses_bad_input(new_browser, email, payload):
    browser = new_browser()
    browser.register(email, username="Ada")
    response = browser.request("PATCH", "/api/users/me", json=payload)
    assert response.status_code == 422, response.text
    assert browser.request("GET", "/api/users/me").json()["username"] == "Ada"


@pytest.mark.parametrize("authorization", [None, "Bearer nonsense", "Basic abc"])
def test_profile_needs_a_valid_token(new_browser, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = new_browser().request("GET", "/api/users/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_delete_account_removes_files_metadata_and_sessions_and_is_safe_to_retry(new_browser, email, system):
    browser = new_browser()
    user_id = browser.register(email).json()["user"]["userId"]
    for index in range(3):
        assert browser.upload(f"f{index}.txt", b"data").status_code == 201
    assert browser.request("DELETE", "/api/users/me").status_code == 204
    objects = system.s3_client.list_objects_v2(Bucket=system.settings["bucket"], Prefix=f"users/{user_id}/")
    assert objects.get("KeyCount", 0) == 0
    metadata = system.dynamodb_client.query(
        TableName=f"{system.settings['table_prefix']}files",
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": user_id}},
    )
    assert metadata["Count"] == 0
    assert browser.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().login(email).status_code == 401
    assert browser.request("DELETE", "/api/users/me").status_code == 204
    assert browser.request("GET", "/api/users/me").status_code == 404
    assert new_browser().register(email).status_code == 201
