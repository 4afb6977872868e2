"""What auth's emails say. Links carry their token in the URL fragment, which browsers never send,
so it stays out of the gateway's and the services' access logs."""

from scloud_auth.domain import User
from scloud_common.mail import MailLayout, MailMessage


def verification_mail(layout: MailLayout, user: User, token: str, *, valid_hours: int) -> MailMessage:
    return layout.render(
        kind="verify_email",
        to=user.email,
        name=user.username,
        subject="confirm your email address",
        paragraphs=[
            "Confirm that this is your email address, so you can get your account back if you forget your password.",
            f"The link works once, for {valid_hours} hours. If you did not create this account, ignore this email.",
        ],
        action=("Confirm my email address", layout.link(f"/verify-email#token={token}")),
    )


def password_reset_mail(layout: MailLayout, user: User, token: str, *, valid_minutes: int) -> MailMessage:
    return layout.render(
        kind="password_reset",
        to=user.email,
        name=user.username,
        subject="reset your password",
        paragraphs=[
            "Someone, hopefully you, asked to reset the password of your account.",
            f"The link works once, for {valid_minutes} minutes, and signs you out everywhere. "
            "If you did not ask for it, ignore this email: your password stays as it is.",
        ],
        action=("Choose a new password", layout.link(f"/reset-password#token={token}")),
    )


def password_changed_mail(layout: MailLayout, user: User, *, by_reset: bool) -> MailMessage:
    how = "reset through the link we emailed" if by_reset else "changed from your profile"
    return layout.render(
        kind="password_changed",
        to=user.email,
        name=user.username,
        subject="your password was changed",
        paragraphs=[
            f"The password of your account was just {how}. Your other sessions were signed out.",
            "If this was not you, reset your password now and check your sessions.",
        ],
        action=("Reset my password", layout.link("/forgot-password")),
    )


def new_device_mail(layout: MailLayout, user: User, *, device: str) -> MailMessage:
    return layout.render(
        kind="new_device",
        to=user.email,
        name=user.username,
        subject="new sign-in to your account",
        paragraphs=[
            f"Your account was just signed in from a device it was not signed in on: {device or 'unknown device'}.",
            "If this was you, there is nothing to do. If not, change your password and sign out the "
            "sessions you do not recognise.",
        ],
        action=("Review my sessions", layout.link("/profile")),
    )


def two_factor_changed_mail(layout: MailLayout, user: User, *, enabled: bool) -> MailMessage:
    if enabled:
        subject, change = "two-factor sign-in turned on", "Two-factor sign-in was turned on for your account."
    else:
        subject, change = "two-factor sign-in turned off", "Two-factor sign-in was turned off for your account."
    return layout.render(
        kind="two_factor_changed",
        to=user.email,
        name=user.username,
        subject=subject,
        paragraphs=[change, "If this was not you, change your password now and check your sessions."],
        action=("Review my account", layout.link("/profile")),
    )
