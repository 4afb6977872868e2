"""The SMTP transport without a server: the message it hands over is the one every transport
makes, its settings refuse what would fail or leak later, and SMTP replies map to the errors SES
failures give."""

from email import message_from_bytes, policy

import aiosmtplib
import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailLayout, MailRefused, compose
from scloud_common.mail_transport import build_mailer
from scloud_common.settings import MailingAwsSettings
from scloud_common.smtp_mail import SmtpMailer, smtp_failure
from tests.mail_sink import parse_eml

SENDER = "SCloud <no-reply@cloud.example>"
PASSWORD = "a long smtp password"


def smtp_settings(tmp_path, password: str | None = PASSWORD, **values) -> MailingAwsSettings:
    fields: dict = {"environment": "production", "mail_transport": "smtp", "mail_smtp_host": "smtp.example"}
    if password is not None:
        password_file = tmp_path / "smtp-password"
        password_file.write_text(password)
        fields.update(mail_smtp_user="scloud", mail_smtp_password_file=password_file)
    return MailingAwsSettings(**(fields | values))


def test_the_wire_message_has_the_headers_and_both_parts_of_every_transport():
    sent = MailLayout(public_url="https://cloud.example").render(
        kind="test",
        to="ada@example.com",
        name="Ada",
        subject="hello",
        paragraphs=["A & B"],
        action=("Open", "https://x"),
    )
    content = compose(sent, SENDER)

    mail = message_from_bytes(content, policy=policy.default)
    assert (mail["From"], mail["To"], mail["Subject"]) == (SENDER, "ada@example.com", "SCloud: hello")
    assert mail["Date"] and mail["Message-ID"].endswith("@cloud.example>")
    assert b"\r\n" in content and b"\n" not in content.replace(b"\r\n", b"")
    assert (parse_eml(content).text, parse_eml(content).html) == (sent.text, sent.html)


def test_the_password_is_read_from_its_file_without_surrounding_whitespace(tmp_path):
    settings = smtp_settings(tmp_path, password=f"  {PASSWORD}\n")
    credentials = settings.smtp_credentials()
    assert credentials is not None
    assert (credentials.user, credentials.password.get_secret_value()) == ("scloud", PASSWORD)
    assert PASSWORD not in repr(settings) and PASSWORD not in repr(credentials)


def test_a_login_is_optional_but_never_half_set(tmp_path):
    assert smtp_settings(tmp_path, password=None).smtp_credentials() is None
    with pytest.raises(ValueError, match="mail_smtp_password_file must be set"):
        smtp_settings(tmp_path, password=None, mail_smtp_user="scloud")
    with pytest.raises(ValueError, match="mail_smtp_user is not"):
        smtp_settings(tmp_path, password=None, mail_smtp_password_file=tmp_path / "x")


def test_a_missing_or_empty_password_file_stops_start_up(tmp_path):
    with pytest.raises(ValueError, match="cannot be read: No such file"):
        smtp_settings(tmp_path, mail_smtp_password_file=tmp_path / "missing")
    with pytest.raises(ValueError, match="is empty"):
        smtp_settings(tmp_path, password=" \n")


def test_a_placeholder_password_is_refused_outside_development(tmp_path):
    with pytest.raises(ValueError, match="real secret"):
        smtp_settings(tmp_path, password="changeme")
    assert smtp_settings(tmp_path, password="changeme", environment="development").smtp_credentials()


def test_the_smtp_transport_needs_a_host(tmp_path):
    with pytest.raises(ValueError, match="mail_smtp_host"):
        MailingAwsSettings(mail_transport="smtp")


@pytest.mark.parametrize("environment", ["development", "test"])
def test_mail_in_clear_is_allowed_in_development_and_test(tmp_path, environment):
    settings = smtp_settings(tmp_path, environment=environment, mail_smtp_security="none", mail_smtp_port=25)
    assert settings.mail_smtp_security == "none"


def test_mail_in_clear_is_refused_in_production(tmp_path):
    with pytest.raises(ValueError, match="mail_smtp_security none .* refused when environment is 'production'"):
        smtp_settings(tmp_path, mail_smtp_security="none")


def test_starttls_on_the_submission_port_is_the_default(tmp_path):
    settings = smtp_settings(tmp_path)
    assert (settings.mail_smtp_port, settings.mail_smtp_security) == (587, "starttls")
    assert settings.mail_smtp_timeout_seconds > 0


def test_the_settings_choose_smtp_and_it_builds_no_aws_client(tmp_path, no_outside_clients):
    assert isinstance(build_mailer(smtp_settings(tmp_path)), SmtpMailer)


def test_the_password_file_is_read_only_for_the_smtp_transport(tmp_path):
    settings = MailingAwsSettings(mail_smtp_user="scloud", mail_smtp_password_file=tmp_path / "missing")
    assert settings.mail_transport == "ses"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiosmtplib.SMTPResponseException(421, "try later"), ServiceUnavailable(code="mail_unavailable:421")),
        (aiosmtplib.SMTPAuthenticationError(535, "bad login"), MailRefused(code="mail_refused:535")),
        (aiosmtplib.SMTPSenderRefused(553, "not yours", "a@b"), MailRefused(code="mail_refused:553")),
        (
            aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(550, "no ada@example.com", "x")]),
            MailRefused(code="mail_refused:550"),
        ),
        (aiosmtplib.SMTPServerDisconnected("gone"), ServiceUnavailable(code="mail_unavailable")),
        (aiosmtplib.SMTPReadTimeoutError("slow"), ServiceUnavailable(code="mail_unavailable")),
        (aiosmtplib.SMTPNotSupported("no STARTTLS"), MailRefused(code="mail_refused:SMTPNotSupported")),
    ],
)
def test_smtp_failures_map_to_the_errors_of_ses_failures(error, expected):
    mapped = smtp_failure(error)
    assert (type(mapped), mapped.code) == (type(expected), expected.code)
    assert "example.com" not in f"{mapped.code} {mapped.message}"
