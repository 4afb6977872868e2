"""The directory transport: each message is a private, complete .eml file a mail program (and the
tests' mail sink) reads back whole, and the settings choose it over SES."""

import os
from email import message_from_bytes, policy

import pytest

from scloud_common.directory_mail import DirectoryMailer
from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailLayout, MailMessage
from scloud_common.mail_transport import build_mailer
from scloud_common.ses_mail import SesMailer
from scloud_common.settings import MailingAwsSettings
from tests.mail_sink import AcceptedMail, directory_mail

SENDER = "SCloud <no-reply@cloud.example>"
LAYOUT = MailLayout(public_url="https://cloud.example")


def message(subject: str = "Verify your email", to: str = "ada@example.com") -> MailMessage:
    return LAYOUT.render(
        kind="test",
        to=to,
        name="Zoë",
        subject=subject,
        paragraphs=["Confirm it's you — once."],
        action=("Verify", "https://cloud.example/verify-email#token=a&b"),
    )


async def test_a_message_is_written_as_an_eml_file_with_text_and_html_alternatives(tmp_path):
    sent = message()
    await DirectoryMailer(tmp_path / "mail", SENDER).send(sent)

    [path] = (tmp_path / "mail").iterdir()
    mail = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert path.suffix == ".eml"
    assert (mail["From"], mail.get_content_type()) == (SENDER, "multipart/alternative")
    assert mail["Date"] and mail["Message-ID"].endswith("@cloud.example>")
    assert directory_mail(tmp_path / "mail") == [
        AcceptedMail(["ada@example.com"], sent.subject, sent.html, text=sent.text, html=sent.html)
    ]


async def test_the_folder_is_private_and_so_is_every_message_whatever_the_umask(tmp_path):
    folder = tmp_path / "run" / "mail"
    previous = os.umask(0)
    try:
        mailer = DirectoryMailer(folder, SENDER)
        await mailer.send(message())
    finally:
        os.umask(previous)

    assert folder.stat().st_mode & 0o777 == 0o700
    assert [path.stat().st_mode & 0o777 for path in folder.iterdir()] == [0o600]


async def test_messages_read_back_oldest_first_and_half_written_files_are_not_read(tmp_path):
    mailer = DirectoryMailer(tmp_path, SENDER)
    for n in range(5):
        await mailer.send(message(subject=f"number {n}", to=f"user{n}@example.com"))
    (tmp_path / ".00000000000000000000-half.partial").write_bytes(b"To: x@example.com\r\n")

    assert [(mail.to, mail.subject) for mail in directory_mail(tmp_path)] == [
        ([f"user{n}@example.com"], f"SCloud: number {n}") for n in range(5)
    ]
    assert directory_mail(tmp_path / "never-made") == []


async def test_a_folder_gone_after_start_is_an_outage_of_the_mail_service(tmp_path):
    mailer = DirectoryMailer(tmp_path / "mail", SENDER)
    (tmp_path / "mail").rmdir()

    with pytest.raises(ServiceUnavailable) as raised:
        await mailer.send(message())
    assert raised.value.code == "mail_unavailable:2"


def test_the_directory_transport_needs_a_folder():
    with pytest.raises(ValueError, match="mail_directory"):
        MailingAwsSettings(mail_transport="directory")


def test_the_settings_choose_the_transport_and_the_folder_one_builds_no_aws_client(tmp_path, no_outside_clients):
    settings = MailingAwsSettings(mail_transport="directory", mail_directory=tmp_path / "mail")
    assert isinstance(build_mailer(settings), DirectoryMailer)
    assert (tmp_path / "mail").is_dir()


def test_ses_stays_the_default_transport():
    settings = MailingAwsSettings(aws_endpoint_url="http://127.0.0.1:9")
    assert settings.mail_transport == "ses"
    assert isinstance(build_mailer(settings), SesMailer)
