"""Profile and account deletion through the real services."""

import pyotp
import pytest

from scloud_files.adapters.dynamodb import USAGE_SORT_KEY
from tests.integration.conftest import assert_refused_everywhere_within

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


def delete_account(browser, password: str = "Secret pass 1"):
    return browser.request("DELETE", "/api/users/me", json={"password": password})


def test_delete_account_removes_files_metadata_and_sessions_and_is_safe_to_retry(new_browser, email, system):
    browser = new_browser()
    user_id = browser.register(email).json()["user"]["userId"]
    for index in range(3):
        assert browser.upload(f"f{index}.txt", b"data").status_code == 201
    assert delete_account(browser).status_code == 204
    objects = system.s3_client.list_objects_v2(
        Bucket=system.settings["bucket"], Prefix=system.settings["object_keys"].user_prefix(user_id)
    )
    assert objects.get("KeyCount", 0) == 0
    metadata = system.dynamodb_client.query(
        TableName=f"{system.settings['table_prefix']}files",
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": user_id}},
    )
    # What stays is the closed account's tombstone, which refuses any upload still in flight.
    assert [item["fileId"]["S"] for item in metadata["Items"]] == [USAGE_SORT_KEY]
    assert metadata["Items"][0]["closed"]
    assert browser.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().login(email).status_code == 401
    assert new_browser().register(email).status_code == 201


def test_delete_account_forgets_its_two_factor_settings(new_browser, email, system):
    browser = new_browser()
    user_id = browser.register(email).json()["user"]["userId"]
    secret = browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"}).json()["secret"]
    confirm = browser.request("POST", "/api/auth/two-factor/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirm.status_code == 200
    key = {"sessionId": {"S": f"2fa#{user_id}"}}
    table = f"{system.settings['table_prefix']}sessions"
    assert "Item" in system.dynamodb_client.get_item(TableName=table, Key=key)
    assert delete_account(browser).status_code == 204
    assert "Item" not in system.dynamodb_client.get_item(TableName=table, Key=key)


def test_after_deletion_the_old_access_token_is_refused_by_every_service(new_browser, email):
    browser = new_browser()
    browser.register(email)
    other_device = new_browser()
    other_device.login(email)
    for client in (browser, other_device):
        assert client.request("GET", "/api/files").status_code == 200
        assert client.request("GET", "/api/users/me").status_code == 200
    assert delete_account(browser).status_code == 204
    for client in (browser, other_device):
        assert_refused_everywhere_within(client, seconds=5)
        assert client.upload("late.txt", b"data").status_code == 401
        assert delete_account(client).status_code == 401


def test_delete_account_needs_the_password(new_browser, email):
    browser = new_browser()
    browser.register(email)
    missing = browser.request("DELETE", "/api/users/me")
    assert missing.status_code == 422
    wrong = delete_account(browser, "Wrong pass 1")
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    assert browser.request("GET", "/api/users/me").status_code == 200
    assert new_browser().login(email).status_code == 200


def test_repeated_wrong_passwords_on_deletion_lock_the_account(new_browser, email):
    browser = new_browser()
    browser.register(email)
    statuses = [delete_account(browser, "Wrong pass 1").status_code for _ in range(5)]
    assert statuses == [401] * 5
    locked = delete_account(browser)
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "too_many_attempts"
    assert int(locked.headers["retry-after"]) > 0
    assert browser.request("GET", "/api/users/me").status_code == 200


@pytest.mark.parametrize("date_of_birth", [19900501, 0])
def test_profile_update_refuses_numeric_dates_of_birth(new_browser, email, date_of_birth):
    browser = new_browser()
    browser.register(email, dateOfBirth="1990-05-01")
    response = browser.request("PATCH", "/api/users/me", json={"dateOfBirth": date_of_birth})
    assert response.status_code == 422, response.text
    assert browser.request("GET", "/api/users/me").json()["dateOfBirth"] == "1990-05-01"


def test_profile_responses_are_never_cached(new_browser, email):
    browser = new_browser()
    browser.register(email)
    assert browser.request("GET", "/api/users/me").headers["cache-control"] == "no-store"
    assert browser.request("GET", "/api/users/nope").headers["cache-control"] == "no-store"
    assert browser.request("GET", "/api/files").headers["cache-control"] == "no-store"


def test_the_profile_schema_lists_the_genders_of_the_users_domain(system):
    import httpx

    from scloud_users.domain import GENDERS

    schema = httpx.get(system.users_url + "/openapi.json").json()["components"]["schemas"]
    gender = schema["ProfileUpdate"]["properties"]["gender"]
    assert [option for option in gender["anyOf"] if "enum" in option][0]["enum"] == list(GENDERS)
