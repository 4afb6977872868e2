"""Email verification, password reset and the notification emails, against in-memory fakes and
a recording mailer, with an injected clock for the links' lifetimes."""

import logging
import re

import pyotp
import pytest

from scloud_auth.adapters.in_memory import (
    FastPasswordHasher,
    InMemoryAttemptStore,
    InMemoryOneTimeTokenStore,
    InMemorySignInChallengeStore,
    InMemoryTwoFactorRepository,
    InMemoryUserDirectory,
)
from scloud_auth.domain import (
    EmailAlreadyVerified,
    ExpiredLinkToken,
    InvalidCredentials,
    InvalidLinkToken,
    InvalidRefreshToken,
    LinkLifetimes,
    PasswordPolicy,
    SessionLifetime,
    TooManyAttempts,
    TooManyEmails,
    TooManyResetRequests,
    WeakPassword,
)
from scloud_auth.service import AuthService
from scloud_auth.signing import AccessTokenSigner
from scloud_common.mail import MailLayout, MailMessage, MailOutbox, RecordingMailer

PASSWORD = "correct horse 1"
NEW_PASSWORD = "a brand new secret"
EMAIL = "ada@example.com"
BROWSER = "Firefox on Linux"


@pytest.fixture
def mailer() -> RecordingMailer:
    return RecordingMailer()


@pytest.fixture
def outbox(mailer) -> MailOutbox:
    return MailOutbox(mailer)


@pytest.fixture
def users() -> InMemoryUserDirectory:
    return InMemoryUserDirectory()


@pytest.fixture
async def service(users, sessions, outbox, clock) -> AuthService:
    hasher = FastPasswordHasher()
    return AuthService(
        users=users,
        sessions=sessions,
        attempts=InMemoryAttemptStore(),
        hasher=hasher,
        signer=AccessTokenSigner.generate(issuer="iss", audience="aud", ttl_seconds=900),
        two_factor=InMemoryTwoFactorRepository(),
        challenges=InMemorySignInChallengeStore(),
        session_lifetime=SessionLifetime(),
        password_policy=PasswordPolicy(common_passwords=frozenset({"passwordpassword"})),
        reuse_grace_seconds=30,
        dummy_password_hash=await hasher.hash("dummy"),
        tokens=InMemoryOneTimeTokenStore(),
        outbox=outbox,
        mail_layout=MailLayout(public_url="https://cloud.example"),
        link_lifetimes=LinkLifetimes(verify_email_seconds=24 * 3600, reset_password_seconds=30 * 60),
        clock=clock,
    )


async def register(service: AuthService):
    return await service.register(
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


async def test_registration_mails_a_verification_link_that_verifies_the_address(service, users, outbox, mailer):
    issued = await register(service)
    [message] = await sent(outbox, mailer)
    assert message.to == EMAIL
    assert "confirm your email address" in message.subject
    token = link_token(message, "/verify-email")
    assert len(token) >= 22  # 128 bits in URL-safe base64
    assert f"/verify-email#token={token}" in message.html
    assert not (await users.get_user(issued.user.user_id)).email_verified

    await service.verify_email(token)

    assert (await users.get_user(issued.user.user_id)).email_verified


async def test_a_verification_link_works_once(service, outbox, mailer):
    await register(service)
    token = link_token((await sent(outbox, mailer))[0], "/verify-email")
    await service.verify_email(token)
    with pytest.raises(InvalidLinkToken):
        await service.verify_email(token)


async def test_a_verification_link_expires_after_24_hours(service, users, outbox, mailer, clock):
    issued = await register(service)
    token = link_token((await sent(outbox, mailer))[0], "/verify-email")
    clock.now += 24 * 3600
    with pytest.raises(ExpiredLinkToken):
        await service.verify_email(token)
    assert not (await users.get_user(issued.user.user_id)).email_verified


@pytest.mark.parametrize("token", ["", "forged-token-of-some-length", "x" * 500])
async def test_a_forged_verification_token_is_refused(service, outbox, mailer, token):
    await register(service)
    await sent(outbox, mailer)
    with pytest.raises(InvalidLinkToken):
        await service.verify_email(token)


async def test_a_reset_token_does_not_verify_an_email(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    await service.request_password_reset(email=EMAIL, client_address="203.0.113.5")
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    with pytest.raises(InvalidLinkToken):
        await service.verify_email(token)


async def test_resend_sends_a_new_link_three_times_an_hour(service, outbox, mailer, clock):
    issued = await register(service)
    await sent(outbox, mailer)
    for _ in range(3):
        await service.resend_verification(issued.user.user_id)
    assert len(await sent(outbox, mailer)) == 3
    with pytest.raises(TooManyEmails) as refused:
        await service.resend_verification(issued.user.user_id)
    assert refused.value.retry_after_seconds == 3600
    assert await sent(outbox, mailer) == []
    clock.now += 3600
    await service.resend_verification(issued.user.user_id)
    assert len(await sent(outbox, mailer)) == 1


async def test_resend_is_refused_once_verified(service, outbox, mailer):
    issued = await register(service)
    await service.verify_email(link_token((await sent(outbox, mailer))[0], "/verify-email"))
    with pytest.raises(EmailAlreadyVerified):
        await service.resend_verification(issued.user.user_id)


# Password reset


async def test_password_reset_sets_the_password_ends_every_session_and_notifies(service, users, outbox, mailer):
    issued = await register(service)
    await sent(outbox, mailer)
    await service.request_password_reset(email="  ADA@example.com ", client_address="203.0.113.5")
    [message] = await sent(outbox, mailer)
    assert message.to == EMAIL
    assert "30 minutes" in message.text

    await service.reset_password(token=link_token(message, "/reset-password"), new_password=NEW_PASSWORD)

    assert (await users.get_user(issued.user.user_id)).email_verified
    with pytest.raises(InvalidRefreshToken):
        await service.refresh(issued.refresh_token)
    with pytest.raises(InvalidCredentials):
        await service.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)
    await service.login(email=EMAIL, password=NEW_PASSWORD, user_agent=BROWSER)
    [notice] = await sent(outbox, mailer)
    assert "your password was changed" in notice.subject
    assert "reset" in notice.text


async def test_a_reset_link_works_once(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    await service.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    await service.reset_password(token=token, new_password=NEW_PASSWORD)
    with pytest.raises(InvalidLinkToken):
        await service.reset_password(token=token, new_password="yet another secret")


async def test_a_reset_link_expires_after_30_minutes(service, outbox, mailer, clock):
    await register(service)
    await sent(outbox, mailer)
    await service.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    clock.now += 30 * 60
    with pytest.raises(ExpiredLinkToken):
        await service.reset_password(token=token, new_password=NEW_PASSWORD)
    await service.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)


async def test_a_weak_new_password_leaves_the_reset_link_usable(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    await service.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    with pytest.raises(WeakPassword):
        await service.reset_password(token=token, new_password="short")
    await service.reset_password(token=token, new_password=NEW_PASSWORD)


async def test_a_reset_for_an_unknown_email_answers_the_same_and_sends_nothing(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    assert await service.request_password_reset(email="nobody@example.com", client_address=None) is None
    assert await sent(outbox, mailer) == []


async def test_reset_requests_are_limited_per_client_address(service, outbox, mailer):
    for _ in range(10):
        await service.request_password_reset(email="nobody@example.com", client_address="203.0.113.5")
    with pytest.raises(TooManyResetRequests) as refused:
        await service.request_password_reset(email="nobody@example.com", client_address="203.0.113.5")
    assert refused.value.retry_after_seconds == 15 * 60
    await service.request_password_reset(email="nobody@example.com", client_address="203.0.113.6")


async def test_reset_mails_are_limited_per_account_without_telling_the_requester(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    for n in range(5):
        await service.request_password_reset(email=EMAIL, client_address=f"203.0.113.{n}")
    assert len(await sent(outbox, mailer)) == 3


async def test_a_reset_lifts_the_accounts_sign_in_throttle(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await service.login(email=EMAIL, password="wrong password 1")
    with pytest.raises(TooManyAttempts):
        await service.login(email=EMAIL, password=PASSWORD)
    await service.request_password_reset(email=EMAIL, client_address=None)
    token = link_token((await sent(outbox, mailer))[0], "/reset-password")
    await service.reset_password(token=token, new_password=NEW_PASSWORD)
    await service.login(email=EMAIL, password=NEW_PASSWORD)


# Notifications


async def test_changing_the_password_mails_a_notice(service, outbox, mailer):
    issued = await register(service)
    await sent(outbox, mailer)
    session_id = issued.refresh_token.split(".")[0]
    await service.change_password(
        user_id=issued.user.user_id, session_id=session_id, current_password=PASSWORD, new_password=NEW_PASSWORD
    )
    [notice] = await sent(outbox, mailer)
    assert (notice.to, "your password was changed" in notice.subject) == (EMAIL, True)


async def test_a_sign_in_from_a_new_device_mails_a_notice_naming_it(service, outbox, mailer):
    await register(service)
    await sent(outbox, mailer)
    await service.login(email=EMAIL, password=PASSWORD, user_agent=BROWSER)
    assert await sent(outbox, mailer) == []
    await service.login(email=EMAIL, password=PASSWORD, user_agent="Safari <b>on</b> iPhone")
    [notice] = await sent(outbox, mailer)
    assert "new sign-in" in notice.subject
    assert "Safari <b>on</b> iPhone" in notice.text
    assert "Safari &lt;b&gt;on&lt;/b&gt; iPhone" in notice.html


async def test_mail_failures_are_logged_without_address_or_link(service, outbox, mailer, caplog):
    async def refuse(message: MailMessage) -> None:
        raise RuntimeError(f"could not send to {message.to}: {message.text}")

    mailer.send = refuse
    caplog.set_level(logging.DEBUG)
    await register(service)
    await outbox.drain()
    failures = [r for r in caplog.records if r.getMessage() == "mail not sent"]
    assert len(failures) == 1
    assert failures[0].error == "RuntimeError"
    logged = " ".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)
    assert EMAIL not in logged
    assert "token=" not in logged


async def enable_two_factor(service: AuthService, user_id: str, clock) -> str:
    setup = await service.begin_two_factor_setup(user_id)
    secret = setup.secret
    await service.confirm_two_factor(user_id, pyotp.TOTP(secret).at(clock.now))
    return secret


async def test_turning_two_factor_on_and_off_mails_a_notice_each_time(service, outbox, mailer, clock):
    issued = await register(service)
    await sent(outbox, mailer)
    secret = await enable_two_factor(service, issued.user.user_id, clock)
    [on] = await sent(outbox, mailer)
    assert on.subject == "SCloud: two-factor sign-in turned on"
    clock.now += 30
    await service.disable_two_factor(issued.user.user_id, password=PASSWORD, code=pyotp.TOTP(secret).at(clock.now))
    [off] = await sent(outbox, mailer)
    assert off.subject == "SCloud: two-factor sign-in turned off"


async def test_a_two_factor_sign_in_from_a_new_device_mails_a_notice(service, outbox, mailer, clock):
    issued = await register(service)
    secret = await enable_two_factor(service, issued.user.user_id, clock)
    await sent(outbox, mailer)
    challenge = await service.login(email=EMAIL, password=PASSWORD, user_agent="Unseen Browser 1.0")
    assert await sent(outbox, mailer) == []
    clock.now += 30
    await service.complete_two_factor_sign_in(challenge=challenge.token, code=pyotp.TOTP(secret).at(clock.now))
    [notice] = await sent(outbox, mailer)
    assert "Unseen Browser 1.0" in notice.text
