"""Email verification, password reset and the notification emails through the real services,
reading what they sent from the stand-in's SES. Every request names its own client address
(X-Forwarded-For, believed from 127.0.0.1), so the per-address reset limit of one test does not
reach another."""

import statistics
import time
import uuid

import pytest

from tests.integration.conftest import sent_mail, wait_for_mail

NEW_PASSWORD = "a brand new secret"


def fresh_address() -> str:
    """A client address no other request of the run is likely to have used."""
    number = uuid.uuid4().int
    return f"10.{number % 256}.{(number >> 8) % 256}.{(number >> 16) % 256}"


@pytest.fixture
def address() -> str:
    return fresh_address()


def request_reset(browser, email: str, address: str):
    return browser.request(
        "POST", "/api/auth/password-reset", json={"email": email}, headers={"X-Forwarded-For": address}
    )


def test_registration_mails_a_link_that_verifies_the_address(new_browser, email, system):
    browser = new_browser()
    response = browser.register(email)
    assert response.json()["user"]["emailVerified"] is False
    [mail] = wait_for_mail(system, email)
    assert mail.subject == "SCloud: confirm your email address"

    verified = new_browser().request("POST", "/api/auth/verify-email", json={"token": mail.link("/verify-email")})

    assert verified.status_code == 204
    assert browser.request("GET", "/api/users/me").json()["emailVerified"] is True
    assert browser.login(email).json()["user"]["emailVerified"] is True


def test_a_used_or_forged_verification_link_is_refused(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    token = wait_for_mail(system, email)[0].link("/verify-email")
    assert browser.request("POST", "/api/auth/verify-email", json={"token": token}).status_code == 204

    for refused in (token, "forged" + token[6:]):
        response = browser.request("POST", "/api/auth/verify-email", json={"token": refused})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_link"


def test_an_expired_verification_link_is_gone(new_browser, email, system):
    browser = new_browser()
    user_id = browser.register(email).json()["user"]["userId"]
    token = wait_for_mail(system, email)[0].link("/verify-email")
    expire_link_tokens(system, user_id)

    response = browser.request("POST", "/api/auth/verify-email", json={"token": token})

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "link_expired"
    assert browser.request("GET", "/api/users/me").json()["emailVerified"] is False


def expire_link_tokens(system, user_id: str) -> None:
    """Moves the expiry of the account's stored link tokens into the past, as time would."""
    table = f"{system.settings['table_prefix']}sessions"
    items = system.dynamodb_client.scan(
        TableName=table,
        FilterExpression="ownerId = :user",
        ExpressionAttributeValues={":user": {"S": user_id}},
    )["Items"]
    assert items
    for item in items:
        system.dynamodb_client.update_item(
            TableName=table,
            Key={"sessionId": item["sessionId"]},
            UpdateExpression="SET expiresAt = :past",
            ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
        )


def test_resend_is_limited_to_three_an_hour(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    for _ in range(3):
        assert browser.request("POST", "/api/auth/verify-email/resend").status_code == 202
    refused = browser.request("POST", "/api/auth/verify-email/resend")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_emails"
    assert int(refused.headers["Retry-After"]) > 0
    assert len(wait_for_mail(system, email, count=4)) == 4
    assert new_browser().request("POST", "/api/auth/verify-email/resend").status_code == 401


def test_password_reset_sets_the_password_and_ends_every_session(new_browser, email, system, address):
    browser = new_browser()
    browser.register(email)
    other_device = new_browser()
    other_device.login(email)
    assert request_reset(new_browser(), email, address).status_code == 202
    [reset] = [m for m in wait_for_mail(system, email, count=2) if "reset your password" in m.subject]
    token = reset.link("/reset-password")

    weak = browser.request("POST", "/api/auth/password-reset/confirm", json={"token": token, "newPassword": "short"})
    assert weak.status_code == 422
    done = browser.request(
        "POST", "/api/auth/password-reset/confirm", json={"token": token, "newPassword": NEW_PASSWORD}
    )
    assert done.status_code == 204

    for device in (browser, other_device):
        assert device.request("POST", "/api/auth/refresh").status_code == 401
    assert new_browser().login(email).status_code == 401
    assert new_browser().login(email, NEW_PASSWORD).status_code == 200
    again = browser.request(
        "POST", "/api/auth/password-reset/confirm", json={"token": token, "newPassword": "yet another secret"}
    )
    assert (again.status_code, again.json()["error"]["code"]) == (422, "invalid_link")
    subjects = [m.subject for m in wait_for_mail(system, email, count=3)]
    assert "SCloud: your password was changed" in subjects


def test_an_expired_reset_link_is_gone(new_browser, email, system, address):
    browser = new_browser()
    user_id = browser.register(email).json()["user"]["userId"]
    request_reset(browser, email, address)
    [reset] = [m for m in wait_for_mail(system, email, count=2) if "reset your password" in m.subject]
    expire_link_tokens(system, user_id)
    response = browser.request(
        "POST",
        "/api/auth/password-reset/confirm",
        json={"token": reset.link("/reset-password"), "newPassword": NEW_PASSWORD},
    )
    assert (response.status_code, response.json()["error"]["code"]) == (410, "link_expired")
    assert new_browser().login(email).status_code == 200


def test_an_unknown_email_gets_the_same_answer_in_the_same_time(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    wait_for_mail(system, email)
    unknown = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    timings: dict[str, list[float]] = {email: [], unknown: []}
    answers = set()
    # Alternating, so a slow moment of the machine weighs on both; 3 each stays within the
    # per-account mail limit, and fresh addresses within the per-address one.
    for _ in range(3):
        for target in (email, unknown):
            started = time.perf_counter()
            response = request_reset(browser, target, fresh_address())
            timings[target].append(time.perf_counter() - started)
            answers.add((response.status_code, response.content))
    assert answers == {(202, b"")}
    ratio = statistics.median(timings[email]) / statistics.median(timings[unknown])
    assert 1 / 3 < ratio < 3, timings
    assert len(wait_for_mail(system, email, count=4)) == 4
    assert sent_mail(system.aws_endpoint_url, unknown) == []


def test_reset_requests_are_limited_per_client_address(new_browser, system, address):
    browser = new_browser()
    for _ in range(10):
        assert request_reset(browser, "nobody@example.com", address).status_code == 202
    refused = request_reset(browser, "nobody@example.com", address)
    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "too_many_requests")
    assert int(refused.headers["Retry-After"]) > 0
    assert request_reset(browser, "nobody@example.com", fresh_address()).status_code == 202


def reset_mails_counted(system, user_id: str) -> int:
    """How many reset mails the account's send limit has counted: each request's mail job counts
    one before it decides whether to send."""
    item = system.dynamodb_client.get_item(
        TableName=f"{system.settings['table_prefix']}sessions",
        Key={"sessionId": {"S": f"sends#reset-mails#{user_id}"}},
        ConsistentRead=True,
    ).get("Item")
    return int(item["events"]["N"]) if item else 0


def test_reset_mails_to_one_account_stop_silently_after_three(new_browser, email, system):
    user_id = new_browser().register(email).json()["user"]["userId"]
    wait_for_mail(system, email)
    for _ in range(5):
        assert request_reset(new_browser(), email, fresh_address()).status_code == 202
    # Once all five jobs have counted, the first three send and the other two never will.
    deadline = time.monotonic() + 15
    while reset_mails_counted(system, user_id) < 5:
        assert time.monotonic() < deadline, "the five reset requests were not all counted within 15 s"
        time.sleep(0.1)
    resets = [m for m in wait_for_mail(system, email, count=4) if "reset your password" in m.subject]
    assert len(resets) == 3
    assert len(sent_mail(system.aws_endpoint_url, email)) == 4


def test_a_password_change_and_a_new_device_are_notified(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    wait_for_mail(system, email)
    browser.login(email)
    new_device = new_browser()
    new_device.http.headers["User-Agent"] = "Unseen Browser 1.0"
    new_device.login(email)
    changed = new_device.request(
        "POST", "/api/auth/password", json={"currentPassword": "Secret pass 1", "newPassword": NEW_PASSWORD}
    )
    assert changed.status_code == 204
    subjects = [m.subject for m in wait_for_mail(system, email, count=3)]
    assert subjects.count("SCloud: new sign-in to your account") == 1
    assert "SCloud: your password was changed" in subjects


def test_deleting_the_account_mails_the_old_address(new_browser, email, system):
    browser = new_browser()
    browser.register(email)
    wait_for_mail(system, email)
    response = browser.request("DELETE", "/api/users/me", json={"password": "Secret pass 1"})
    assert response.status_code == 204
    assert wait_for_mail(system, email, count=2)[-1].subject == "SCloud: your account was deleted"
