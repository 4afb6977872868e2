"""Email verification, password reset and the notification emails, against in-memory fakes and
a recording mailer, with an injected clock for the links' lifetimes."""

import logging
import re

import pyotp
import pytest

from scloud_auth.domain import (
    EmailAlreadyVerified,
    ExpiredLinkToken,
    InvalidCredentials,
    InvalidLinkToken,
    InvalidRefreshToken,
    TooManyAttempts,
    TooManyEmails,
    TooManyResetRequests,
    WeakPassword,
)
from scloud_auth.use_cases import AuthUseCases
from scloud_common.mail import MailMessage, MailOutbox, RecordingMailer

PASSWORD = "correct horse 1"
NEW_PASSWORD = "a brand new secret"
EMAIL = "ada@example.com"
BROWSER = "Firefox on Linux"


async def register(auth: AuthUseCases):
    return await auth.registration.register(
        email=EMAIL, username="Ada", password=PASSWORD, gender=None, date_of_birth=None, user_agent=BROWSER
    )


async def sent(outbox: MailOutbox, mailer: RecordingMailer) -> list[MailMessage]:
    await outbox.drain()
    messages = list(mailer.sent)
    mailer.sent.clear()
    return messages


def link_token(message: MailMessage, path: str) -> str:
    match = re.search(re.escape(f"https://cloud.example{path}#token=") + r"([\w-]+)", message.text)
    assert match, message.text
    return match.group(1)


# Email verification


async def test_registration_mails_a_verification_link_that_verifies_the_address(auth, users, outbox, mailer):
    issued = await register(auth)
    [message] = await sent(outbox, mailer)
    assert message.to == EMAIL
    assert "confirm your email address" in message.subject
    assert "share" not in message.text  # sharing does not exist yet
    token = link_token(message, "/verify-email")
    assert len(token) >= 22  # 128 bits in URL-safe base64
    assert f"/verify-email#token={token}" in message.html
    assert not (await users.get_user(issued.user.user_id)).email_verified

    await auth.recovery.verify_email(token)

    assert (await users.get_user(issued.user.user_id)).email_verified


async def test_a_verification_link_works_once(auth, outbox, mailer):
    await register(auth)
    token = link_token((await sent(outbox, mailer))[0], "/verify-email")
    await auth.recovery.verify_email(token)
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.verify_email(token)


async def test_a_verification_link_expires_after_24_hours(auth, users, outbox, mailer, clock):
    issued = await register(auth)
    token = link_token((await sent(outbox, mailer))[0], "/verify-email")
    clock.now += 24 * 3600
    with pytest.raises(ExpiredLinkToken):
        await auth.recovery.verify_email(token)
    assert not (await users.get_user(issued.user.user_id)).email_verified


@pytest.mark.parametrize("token", ["", "forged-token-of-some-length", "x" * 500])
async def test_a_forged_verification_token_is_refused(auth, outbox, mailer, token):
    await register(auth)
    await sent(outbox, mailer)
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.verify_email(token)


async def test_a_reset_token_does_not_verify_an_email(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email=EMAIL, client_address="203.0.113.5")
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.verify_email(token)


async def test_resend_sends_a_new_link_three_times_an_hour(auth, outbox, mailer, clock):
    issued = await register(auth)
    await sent(outbox, mailer)
    for _ in range(3):
        await auth.recovery.resend_verification(issued.user.user_id)
    assert len(await sent(outbox, mailer)) == 3
    with pytest.raises(TooManyEmails) as refused:
        await auth.recovery.resend_verification(issued.user.user_id)
    assert refused.value.retry_after_seconds == 3600
    assert await sent(outbox, mailer) == []
    clock.now += 3600
    await auth.recovery.resend_verification(issued.user.user_id)
    assert len(await sent(outbox, mailer)) == 1


async def test_resend_is_refused_once_verified(auth, outbox, mailer):
    issued = await register(auth)
    await auth.recovery.verify_email(link_token((await sent(outbox, mailer))[0], "/verify-email"))
    with pytest.raises(EmailAlreadyVerified):
        await auth.recovery.resend_verification(issued.user.user_id)


# Password reset


async def test_password_reset_sets_the_password_ends_every_session_and_notifies(auth, users, outbox, mailer):
    issued = await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email="  ADA@example.com ", client_address="203.0.113.5")
    [message] = await sent(outbox, mailer)
    assert message.to == EMAIL
    assert "30 minutes" in message.text

    await auth.recovery.reset_password(token=link_token(message, "/reset-password"), new_password=NEW_PASSWORD)

    assert (await users.get_user(issued.user.user_id)).email_verified
    with pytest.raises(InvalidRefreshToken):
        await auth.sessions.refresh(issued.refresh_token)
    with pytest.raises(InvalidCredentials):
        await auth.sign_in.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)
    await auth.sign_in.login(email=EMAIL, password=NEW_PASSWORD, user_agent=BROWSER)
    [notice] = await sent(outbox, mailer)
    assert "your password was changed" in notice.subject
    assert "reset" in notice.text


async def test_a_reset_link_works_once(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    await auth.recovery.reset_password(token=token, new_password=NEW_PASSWORD)
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.reset_password(token=token, new_password="yet another secret")


async def test_a_reset_ends_every_older_reset_link(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    for n in range(2):
        await auth.recovery.request_password_reset(email=EMAIL, client_address=f"203.0.113.{n}")
    older, newer = (link_token(m, "/reset-password") for m in await sent(outbox, mailer))
    await auth.recovery.reset_password(token=newer, new_password=NEW_PASSWORD)
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.reset_password(token=older, new_password="yet another secret")
    await auth.sign_in.login(email=EMAIL, password=NEW_PASSWORD)


async def test_a_password_change_ends_every_outstanding_reset_link(auth, outbox, mailer):
    issued = await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    await auth.recovery.change_password(
        user_id=issued.user.user_id, session_id="s", current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    with pytest.raises(InvalidLinkToken):
        await auth.recovery.reset_password(token=token, new_password="yet another secret")
    await auth.sign_in.login(email=EMAIL, password=NEW_PASSWORD)


async def test_a_reset_link_expires_after_30_minutes(auth, outbox, mailer, clock):
    await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    clock.now += 30 * 60
    with pytest.raises(ExpiredLinkToken):
        await auth.recovery.reset_password(token=token, new_password=NEW_PASSWORD)
    await auth.sign_in.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)


async def test_a_weak_new_password_leaves_the_reset_link_usable(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    await auth.recovery.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    with pytest.raises(WeakPassword):
        await auth.recovery.reset_password(token=token, new_password="short")
    await auth.recovery.reset_password(token=token, new_password=NEW_PASSWORD)


async def test_a_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    assert await auth.recovery.request_password_reset(email="nobody@example.com", client_address=None) is None
    assert await sent(outbox, mailer) == []


async def test_reset_requests_are_limited_per_client_address(auth, outbox, mailer):
    for _ in range(10):
        await auth.recovery.request_password_reset(email="nobody@example.com", client_address="203.0.113.5")
    with pytest.raises(TooManyResetRequests) as refused:
        await auth.recovery.request_password_reset(email="nobody@example.com", client_address="203.0.113.5")
    assert refused.value.retry_after_seconds == 15 * 60
    await auth.recovery.request_password_reset(email="nobody@example.com", client_address="203.0.113.6")


async def test_reset_mails_are_limited_per_account_without_telling_the_requester(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    for n in range(5):
        await auth.recovery.request_password_reset(email=EMAIL, client_address=f"203.0.113.{n}")
    assert len(await sent(outbox, mailer)) == 3


async def test_a_reset_lifts_the_accounts_sign_in_throttle(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await auth.sign_in.login(email=EMAIL, password="wrong password 1")
    with pytest.raises(TooManyAttempts):
        await auth.sign_in.login(email=EMAIL, password=PASSWORD)
    await auth.recovery.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    await auth.recovery.reset_password(token=token, new_password=NEW_PASSWORD)
    await auth.sign_in.login(email=EMAIL, password=NEW_PASSWORD)


# Notifications


async def test_changing_the_password_mails_a_notice(auth, outbox, mailer):
    issued = await register(auth)
    await sent(outbox, mailer)
    session_id = issued.refresh_token.split(".")[0]
    await auth.recovery.change_password(
        user_id=issued.user.user_id, session_id=session_id, current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    [notice] = await sent(outbox, mailer)
    assert (notice.to, "your password was changed" in notice.subject) == (EMAIL, True)


async def test_a_sign_in_from_a_new_device_mails_a_notice_naming_it(auth, outbox, mailer):
    await register(auth)
    await sent(outbox, mailer)
    await auth.sign_in.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)
    assert await sent(outbox, mailer) == []
    await auth.sign_in.login(email=EMAIL, password=PASSWORD, user_agent="Safari <b>on</b> iPhone")
    [notice] = await sent(outbox, mailer)
    assert "new sign-in" in notice.subject
    assert "Safari <b>on</b> iPhone" in notice.text
    assert "Safari &lt;b&gt;on&lt;/b&gt; iPhone" in notice.html


async def test_mail_failures_are_logged_without_address_or_link(auth, outbox, mailer, caplog):
    async def refuse(message: MailMessage) -> None:
        raise RuntimeError(f"could not send to {message.to}: {message.text}")

    mailer.send = refuse
    caplog.set_level(logging.DEBUG)
    await register(auth)
    await outbox.drain()
    failures = [r for r in caplog.records if r.getMessage() == "mail not sent"]
    assert len(failures) == 1
    assert failures[0].error == "RuntimeError"
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert EMAIL not in logged
    assert "token=" not in logged


async def enable_two_factor(auth: AuthUseCases, user_id: str, clock) -> str:
    setup = await auth.two_factor.begin_setup(user_id, password=PASSWORD)
    secret = setup.secret
    await auth.two_factor.confirm(user_id, pyotp.TOTP(secret).at(clock.now))
    return secret


async def test_turning_two_factor_on_and_off_mails_a_notice_each_time(auth, outbox, mailer, clock):
    issued = await register(auth)
    await sent(outbox, mailer)
    secret = await enable_two_factor(auth, issued.user.user_id, clock)
    [on] = await sent(outbox, mailer)
    assert on.subject == "SCloud: two-factor sign-in turned on"
    clock.now += 30
    await auth.two_factor.disable(issued.user.user_id, password=PASSWORD, code=pyotp.TOTP(secret).at(clock.now))
    [off] = await sent(outbox, mailer)
    assert off.subject == "SCloud: two-factor sign-in turned off"


async def test_a_two_factor_sign_in_from_a_new_device_mails_a_notice(auth, outbox, mailer, clock):
    issued = await register(auth)
    secret = await enable_two_factor(auth, issued.user.user_id, clock)
    await sent(outbox, mailer)
    challenge = await auth.sign_in.login(email=EMAIL, password=PASSWORD, user_agent="Unseen Browser 1.0")
    assert await sent(outbox, mailer) == []
    clock.now += 30
    await auth.sign_in.complete_two_factor_sign_in(challenge=challenge.token, code=pyotp.TOTP(secret).at(clock.now))
    [notice] = await sent(outbox, mailer)
    assert "Unseen Browser 1.0" in notice.text
