"""Auth routes through the real services: register, login, refresh, logout, password."""

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.integration


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_register_returns_user_and_token_and_sets_a_strict_httponly_cookie(new_browser, email):
    browser = new_browser()
    response = browser.register(email.upper(), username="Ada", gender="female", dateOfBirth="1990-12-10")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"user", "accessToken", "accessTokenExpiresAt"}
    assert body["user"]["email"] == email
    assert (body["user"]["username"], body["user"]["gender"], body["user"]["dateOfBirth"]) == (
        "Ada",
        "female",
        "1990-12-10",
    )
    assert "password" not in response.text.lower()
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api/auth" in cookie
    assert response.headers.get("x-request-id")


def test_duplicate_email_conflicts(new_browser, email):
    assert new_browser().register(email).status_code == 201
    response = new_browser().register(email.upper())
    assert response.status_code == 409 and error_code(response) == "email_taken"


def test_concurrent_registrations_with_one_email_create_one_account(new_browser, email):
    browsers = [new_browser() for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda browser: browser.register(email).status_code, browsers))
    assert statuses == [201, 409, 409, 409]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"email": "not-an-email", "username": "Ada", "password": "Secret pass 1"}, "invalid_email"),
        ({"email": "{email}", "username": "Ada", "password": "short1"}, "weak_password"),
        ({"email": "{email}", "username": "Ada", "password": "alllowercaseletters"}, "weak_password"),
        ({"email": "{email}", "username": "<b>", "password": "Secret pass 1"}, "invalid_profile"),
        ({"email": "{email}", "username": "Ada", "password": "Secret pass 1", "gender": "robot"}, "invalid_profile"),
        (
            {"email": "{email}", "username": "Ada", "password": "Secret pass 1", "dateOfBirth": "2999-01-01"},
            "invalid_profile",
        ),
        (
            {"email": "{email}", "username": "Ada", "password": "Secret pass 1", "dateOfBirth": "yesterday"},
            "validation_error",
        ),
        ({"email": "{email}", "password": "Secret pass 1"}, "validation_error"),
    ],
)
def test_register_refuses_bad_input_with_422(new_browser, email, payload, code):
    payload = {key: value.format(email=email) if isinstance(value, str) else value for key, value in payload.items()}
    response = new_browser().request("POST", "/api/auth/register", json=payload)
    assert response.status_code == 422, response.text
    assert error_code(response) == code
    assert new_browser().login(email).status_code == 401


def test_login_wrong_password_and_unknown_email_give_the_same_401(new_browser, email):
    new_browser().register(email)
    wrong_password = new_browser().login(email, "Wrong pass 1")
    unknown_email = new_browser().login("nobody-" + email, "Secret pass 1")
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json()
    assert new_browser().login(email).status_code == 200


def test_refresh_rotates_the_cookie_and_replaying_the_old_one_ends_the_session(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    old_cookie = browser.http.cookies.get("scloud_refresh")
    refreshed = browser.request("POST", "/api/auth/refresh")
    assert refreshed.status_code == 200 and refreshed.json()["user"]["email"] == email
    assert browser.http.cookies.get("scloud_refresh") != old_cookie
    attacker = new_browser()
    attacker.http.cookies.set("scloud_refresh", old_cookie, domain="127.0.0.1", path="/api/auth")
    replay = attacker.request("POST", "/api/auth/refresh")
    assert replay.status_code == 401 and error_code(replay) == "invalid_refresh_token"
    assert browser.request("POST", "/api/auth/refresh").status_code == 401


def test_refresh_without_cookie_is_401(new_browser):
    response = new_browser().request("POST", "/api/auth/refresh")
    assert response.status_code == 401 and error_code(response) == "invalid_refresh_token"


def test_logout_ends_the_session_and_clears_the_cookie(new_browser, email):
    browser = new_browser()
    browser.register(email)
    cookie = browser.http.cookies.get("scloud_refresh")
    response = browser.request("POST", "/api/auth/logout")
    assert response.status_code == 204
    assert (
        'scloud_refresh=""' in response.headers["set-cookie"] or "max-age=0" in response.headers["set-cookie"].lower()
    )
    other = new_browser()
    other.http.cookies.set("scloud_refresh", cookie, domain="127.0.0.1", path="/api/auth")
    assert other.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().request("POST", "/api/auth/logout").status_code == 204


def test_password_change_revokes_other_sessions_and_keeps_this_one(new_browser, email):
    here, elsewhere = new_browser(), new_browser()
    here.register(email)
    elsewhere.login(email)
    wrong = here.request(
        "POST", "/api/auth/password", json={"currentPassword": "Wrong pass 1", "newPassword": "Brand new 22"}
    )
    assert wrong.status_code == 401 and error_code(wrong) == "invalid_credentials"
    weak = here.request("POST", "/api/auth/password", json={"currentPassword": "Secret pass 1", "newPassword": "weak"})
    assert weak.status_code == 422
    response = here.request(
        "POST", "/api/auth/password", json={"currentPassword": "Secret pass 1", "newPassword": "Brand new 22"}
    )
    assert response.status_code == 204
    assert here.request("POST", "/api/auth/refresh").status_code == 200
    assert elsewhere.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().login(email).status_code == 401
    assert new_browser().login(email, "Brand new 22").status_code == 200


def test_password_change_needs_a_valid_access_token(new_browser):
    response = new_browser().request(
        "POST",
        "/api/auth/password",
        json={"currentPassword": "a", "newPassword": "b"},
        headers={"Authorization": "Bearer x.y.z"},
    )
    assert response.status_code == 401 and error_code(response) == "invalid_token"
