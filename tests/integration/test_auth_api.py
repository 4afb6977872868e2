"""Auth routes through the real services: register, login, refresh, logout, password, sessions."""

import time
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest

from tests.integration.conftest import assert_refused_everywhere_within

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
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/api;" in cookie
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
        ({"email": "{email}", "username": "Ada", "password": "QwertyUiop123"}, "weak_password"),
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
    attacker.http.cookies.set("scloud_refresh", old_cookie, domain="127.0.0.1", path="/api")
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
    other.http.cookies.set("scloud_refresh", cookie, domain="127.0.0.1", path="/api")
    assert other.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().request("POST", "/api/auth/logout").status_code == 204


def test_a_forged_refresh_cookie_cannot_sign_someone_else_out(new_browser, email):
    victim = new_browser()
    victim.register(email)
    session_id = victim.http.cookies.get("scloud_refresh").partition(".")[0]
    attacker = new_browser()
    attacker.http.cookies.set("scloud_refresh", f"{session_id}.anything", domain="127.0.0.1", path="/api")
    assert attacker.request("POST", "/api/auth/logout").status_code == 204
    assert victim.request("POST", "/api/auth/refresh").status_code == 200
    assert victim.request("GET", "/api/users/me").status_code == 200


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


def test_logout_ends_the_access_token_on_every_service(new_browser, email):
    browser = new_browser()
    browser.register(email)
    assert browser.request("GET", "/api/users/me").status_code == 200
    assert browser.request("POST", "/api/auth/logout").status_code == 204
    assert_refused_everywhere_within(browser, seconds=5)


def test_password_change_ends_the_access_tokens_of_other_sessions(new_browser, email):
    here, elsewhere = new_browser(), new_browser()
    here.register(email)
    elsewhere.login(email)
    assert elsewhere.request("GET", "/api/files").status_code == 200
    response = here.request(
        "POST", "/api/auth/password", json={"currentPassword": "Secret pass 1", "newPassword": "Brand new 22"}
    )
    assert response.status_code == 204
    assert_refused_everywhere_within(elsewhere, seconds=5)
    assert here.request("GET", "/api/users/me").status_code == 200


def test_logout_all_ends_every_session_and_clears_the_cookie(new_browser, email):
    here, elsewhere = new_browser(), new_browser()
    here.register(email)
    elsewhere.login(email)
    response = here.request("POST", "/api/auth/logout-all")
    assert response.status_code == 204
    assert (
        "max-age=0" in response.headers["set-cookie"].lower() or 'scloud_refresh=""' in response.headers["set-cookie"]
    )
    for browser in (here, elsewhere):
        assert_refused_everywhere_within(browser, seconds=5)
    assert elsewhere.request("POST", "/api/auth/refresh").status_code == 401


def test_sessions_list_shows_each_signed_in_browser_newest_first(new_browser, email):
    first, second = new_browser(), new_browser()
    first.request(
        "POST",
        "/api/auth/register",
        json={"email": email, "username": "Ada", "password": "Secret pass 1"},
        headers={"User-Agent": "Firefox\t on Linux"},
    )
    first.login(email)
    second.request(
        "POST",
        "/api/auth/login",
        json={"email": email, "password": "Secret pass 1"},
        headers={"User-Agent": "Safari on iPhone"},
    )
    second.access_token = second.http.post(second.system.url("/api/auth/refresh")).json()["accessToken"]
    response = first.request("GET", "/api/auth/sessions")
    assert response.status_code == 200
    sessions = response.json()["sessions"]
    assert [set(s) for s in sessions] == [{"id", "userAgent", "createdAt", "lastUsedAt", "current"}] * 3
    # createdAt has one-second steps, so sessions of one second may come in any order among
    # themselves (the unit tests pin the order with a clock); newer seconds always come first.
    created = [s["createdAt"] for s in sessions]
    assert created == sorted(created, reverse=True)
    by_device = {s["userAgent"]: s for s in sessions}
    assert set(by_device) == {"Firefox on Linux", "Safari on iPhone", first.http.headers["User-Agent"]}
    assert [s["userAgent"] for s in sessions if s["current"]] == [first.http.headers["User-Agent"]]
    assert by_device["Safari on iPhone"]["lastUsedAt"] >= by_device["Safari on iPhone"]["createdAt"]


def test_deleting_a_session_ends_it_and_others_cannot_delete_it(new_browser, email):
    mine, other_device, stranger = new_browser(), new_browser(), new_browser()
    mine.register(email)
    other_device.login(email)
    stranger.register("stranger-" + email)
    sessions = mine.request("GET", "/api/auth/sessions").json()["sessions"]
    target = next(s["id"] for s in sessions if not s["current"])
    refused = stranger.request("DELETE", f"/api/auth/sessions/{target}")
    assert refused.status_code == 404 and error_code(refused) == "session_not_found"
    assert mine.request("DELETE", "/api/auth/sessions/no-such-session").status_code == 404
    assert mine.request("DELETE", f"/api/auth/sessions/{target}").status_code == 204
    assert_refused_everywhere_within(other_device, seconds=5)
    assert other_device.request("POST", "/api/auth/refresh").status_code == 401
    assert [s["current"] for s in mine.request("GET", "/api/auth/sessions").json()["sessions"]] == [True]
    again = mine.request("DELETE", f"/api/auth/sessions/{target}")
    assert again.status_code == 404


def test_five_failed_logins_lock_the_email_whatever_the_client(new_browser, email):
    new_browser().register(email)
    for index in range(5):
        response = new_browser().request(
            "POST",
            "/api/auth/login",
            json={"email": email, "password": "Wrong pass 1"},
            headers={"X-Forwarded-For": f"10.0.0.{index}"},
        )
        assert response.status_code == 401
    locked = new_browser().login(email)
    assert locked.status_code == 429 and error_code(locked) == "too_many_attempts"
    assert int(locked.headers["retry-after"]) > 0


def enable_two_factor(browser) -> pyotp.TOTP:
    app = pyotp.TOTP(
        browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"}).json()["secret"]
    )
    assert browser.request("POST", "/api/auth/two-factor/confirm", json={"code": app.now()}).status_code == 200
    return app


def statuses_of_parallel(requests) -> list[int]:
    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(lambda request: request().status_code, requests))


def test_twenty_wrong_passwords_at_once_are_checked_at_most_five_times(new_browser, email):
    new_browser().register(email)
    browsers = [new_browser() for _ in range(20)]
    statuses = statuses_of_parallel(
        [lambda b=b, n=n: b.login(email, f"Wrong pass {n}") for n, b in enumerate(browsers)]
    )
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) == 20 - statuses.count(401), statuses
    assert new_browser().login(email).status_code == 429


def test_twenty_wrong_codes_at_once_on_one_challenge_are_checked_at_most_five_times(new_browser, email):
    browser = new_browser()
    browser.register(email)
    app = enable_two_factor(browser)
    challenge = new_browser().login(email).json()["challenge"]
    valid = {app.at(time.time() + drift) for drift in (-60, -30, 0, 30, 60)}
    codes = [code for code in (f"{n:06d}" for n in range(200_000, 200_100)) if code not in valid][:20]
    guessers = [new_browser() for _ in codes]
    statuses = statuses_of_parallel(
        [
            lambda b=b, code=code: b.request(
                "POST", "/api/auth/login/two-factor", json={"challenge": challenge, "code": code}
            )
            for b, code in zip(guessers, codes, strict=True)
        ]
    )
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) == 20 - statuses.count(401), statuses


def test_unknown_emails_are_locked_the_same_way(new_browser, email):
    responses = [new_browser().login("nobody-" + email, "Wrong pass 1") for _ in range(6)]
    assert [r.status_code for r in responses] == [401] * 5 + [429]


def test_wrong_current_passwords_lock_the_account(new_browser, email):
    browser = new_browser()
    browser.register(email)
    change = {"currentPassword": "Wrong pass 1", "newPassword": "Brand new 22"}
    statuses = [browser.request("POST", "/api/auth/password", json=change).status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert new_browser().login(email).status_code == 429


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/logout", "/api/auth/logout-all"])
@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Content-Type": "text/plain"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_requests_to_cookie_routes_are_refused_and_the_session_survives(new_browser, email, path, headers):
    browser = new_browser()
    browser.register(email)
    response = browser.request("POST", path, content=b"x", headers=headers)
    assert response.status_code == 403 and error_code(response) == "cross_site_request"
    assert browser.request("GET", "/api/users/me").status_code == 200
    assert browser.request("POST", "/api/auth/refresh").status_code == 200


def test_same_origin_requests_to_cookie_routes_pass(new_browser, email):
    browser = new_browser()
    browser.register(email)
    headers = {"Origin": "http://localhost:8080", "Sec-Fetch-Site": "same-origin"}
    assert browser.request("POST", "/api/auth/refresh", headers=headers).status_code == 200


def test_responses_with_tokens_are_never_cached(new_browser, email):
    browser = new_browser()
    response = browser.register(email)
    assert response.headers["cache-control"] == "no-store"
    assert browser.request("POST", "/api/auth/refresh").headers["cache-control"] == "no-store"
    assert browser.request("GET", "/api/auth/sessions").headers["cache-control"] == "no-store"
    assert new_browser().login(email, "Wrong pass 1").headers["cache-control"] == "no-store"


@pytest.mark.parametrize("email_with_control", ["ada\u0000@example.com", "ada@exa\u200bmple.com", "ada\n@example.com"])
def test_emails_with_control_characters_are_refused(new_browser, email_with_control):
    response = new_browser().register(email_with_control)
    assert response.status_code == 422 and error_code(response) == "invalid_email"


def test_email_domains_are_stored_in_idna_form_and_match_either_spelling(new_browser, email):
    local = email.split("@")[0]
    response = new_browser().register(f"{local.upper()}@BÜCHER.example")
    assert response.status_code == 201, response.text
    assert response.json()["user"]["email"] == f"{local}@xn--bcher-kva.example"
    assert new_browser().login(f"{local}@xn--bcher-kva.example").status_code == 200
    assert new_browser().login(f"{local}@bücher.example").status_code == 200
    assert new_browser().register(f"{local}@xn--bcher-kva.example").status_code == 409


@pytest.mark.parametrize("date_of_birth", [19900501, 0])
def test_register_refuses_numeric_dates_of_birth(new_browser, email, date_of_birth):
    response = new_browser().register(email, dateOfBirth=date_of_birth)
    assert response.status_code == 422 and error_code(response) == "validation_error"


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/register"), ("PATCH", "/api/v1/users/me")],
)
def test_invalid_utf8_bodies_get_a_json_400_that_the_document_lists(new_browser, system, email, method, path):
    browser = new_browser()
    browser.register(email)
    response = browser.request(method, path, content=b'{"email": "\xff"}', headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and error_code(response) == "invalid_json"
    service_url = system.url(path).removesuffix(path)
    document = browser.http.get(service_url + "/openapi.json").json()
    assert "400" in document["paths"][path][method.lower()]["responses"]


def test_two_factor_sign_in_from_setup_to_a_recovery_code(new_browser, email):
    browser = new_browser()
    browser.register(email)
    assert browser.request("GET", "/api/auth/two-factor").json() == {"enabled": False, "recoveryCodesLeft": 0}
    setup = browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"}).json()
    assert setup["otpauthUri"].startswith("otpauth://totp/SCloud:")
    app = pyotp.TOTP(setup["secret"])
    wrong = browser.request("POST", "/api/auth/two-factor/confirm", json={"code": "000000"})
    assert wrong.status_code == 401 and error_code(wrong) == "invalid_two_factor_code"
    confirmed = browser.request("POST", "/api/auth/two-factor/confirm", json={"code": app.now()})
    assert confirmed.status_code == 200, confirmed.text
    recovery_codes = confirmed.json()["recoveryCodes"]

    other = new_browser()
    challenge = other.login(email)
    assert challenge.status_code == 202 and challenge.json()["twoFactorRequired"] is True
    assert "set-cookie" not in challenge.headers
    token = challenge.json()["challenge"]
    refused = other.request("POST", "/api/auth/login/two-factor", json={"challenge": token, "code": "12345"})
    assert refused.status_code == 401 and error_code(refused) == "invalid_two_factor_code"
    signed_in = other.request(
        "POST", "/api/auth/login/two-factor", json={"challenge": token, "code": recovery_codes[0]}
    )
    assert signed_in.status_code == 200 and "scloud_refresh" in signed_in.headers["set-cookie"]
    other.access_token = signed_in.json()["accessToken"]
    assert other.request("GET", "/api/users/me").status_code == 200

    again = new_browser().login(email).json()["challenge"]
    reused = other.request("POST", "/api/auth/login/two-factor", json={"challenge": again, "code": recovery_codes[0]})
    assert reused.status_code == 401
    status = browser.request("GET", "/api/auth/two-factor").json()
    assert status == {"enabled": True, "recoveryCodesLeft": 9}


def test_turning_two_factor_off_needs_the_password_and_a_code(new_browser, email):
    browser = new_browser()
    browser.register(email)
    app = pyotp.TOTP(
        browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"}).json()["secret"]
    )
    recovery_codes = browser.request("POST", "/api/auth/two-factor/confirm", json={"code": app.now()}).json()[
        "recoveryCodes"
    ]
    no_password = {"password": "Wrong pass 1", "code": recovery_codes[0]}
    assert browser.request("POST", "/api/auth/two-factor/disable", json=no_password).status_code == 401
    no_code = {"password": "Secret pass 1", "code": "000000"}
    assert browser.request("POST", "/api/auth/two-factor/disable", json=no_code).status_code == 401
    both = {"password": "Secret pass 1", "code": recovery_codes[1]}
    assert browser.request("POST", "/api/auth/two-factor/disable", json=both).status_code == 204
    assert new_browser().login(email).status_code == 200


def test_turning_two_factor_on_needs_the_password(new_browser, email):
    browser = new_browser()
    browser.register(email)
    no_body = browser.request("POST", "/api/auth/two-factor/setup")
    assert no_body.status_code == 422 and error_code(no_body) == "validation_error"
    wrong = browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Wrong pass 1"})
    assert wrong.status_code == 401 and error_code(wrong) == "invalid_credentials"
    assert browser.request("GET", "/api/auth/two-factor").json()["enabled"] is False
    for _ in range(4):
        browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Wrong pass 1"})
    locked = browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0


def test_a_two_factor_code_is_refused_when_replayed_within_its_window(new_browser, email):
    browser = new_browser()
    browser.register(email)
    app = pyotp.TOTP(
        browser.request("POST", "/api/auth/two-factor/setup", json={"password": "Secret pass 1"}).json()["secret"]
    )
    assert browser.request("POST", "/api/auth/two-factor/confirm", json={"code": app.now()}).status_code == 200
    # The setup used the current step; the next one is accepted (one step of drift), once.
    code = app.at(time.time() + 30)
    first = new_browser()
    challenge = first.login(email).json()["challenge"]
    assert (
        first.request("POST", "/api/auth/login/two-factor", json={"challenge": challenge, "code": code}).status_code
        == 200
    )
    second = new_browser()
    challenge = second.login(email).json()["challenge"]
    replayed = second.request("POST", "/api/auth/login/two-factor", json={"challenge": challenge, "code": code})
    assert replayed.status_code == 401 and error_code(replayed) == "invalid_two_factor_code"
