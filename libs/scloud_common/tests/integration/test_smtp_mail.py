"""SmtpMailer against a real SMTP server (aiosmtpd on loopback): in clear, with STARTTLS and with
TLS from the first byte, logging in, the message arrives whole; a server that refuses the login
or never offers STARTTLS is refused, and one that is down or silent fails within the timeout."""

import socket
import time

import pytest
from pydantic import SecretStr

from scloud_common.errors import ServiceUnavailable
from scloud_common.internal_tls import issue_certificates
from scloud_common.mail import MailLayout, MailRefused
from scloud_common.mail_transport import build_mailer
from scloud_common.metrics import ServiceMetrics, building_for
from scloud_common.settings import MailingAwsSettings, SmtpCredentials
from scloud_common.smtp_mail import SmtpMailer
from tests.harness import free_ports
from tests.smtp_server import SERVER_NAME, client_context, smtp_server

pytestmark = pytest.mark.integration

SENDER = "SCloud <no-reply@cloud.example>"
LOGIN = ("scloud", "a long smtp password")
TIMEOUT_SECONDS = 1.0
# What a failure may take past the timeout on a busy machine.
SLACK_SECONDS = 1.5


@pytest.fixture(scope="module")
def certificate():
    return issue_certificates([SERVER_NAME]).material(SERVER_NAME)


def message():
    return MailLayout(public_url="https://cloud.example").render(
        kind="verify_email",
        to="ada@example.com",
        name="Ada <3",
        subject="confirm your email address",
        paragraphs=["A & B"],
        action=("Verify", "https://cloud.example/verify-email#token=abc"),
    )


def mailer(port: int, security, certificate=None, login=LOGIN, timeout_seconds=TIMEOUT_SECONDS) -> SmtpMailer:
    return SmtpMailer(
        host=SERVER_NAME,
        port=port,
        security=security,
        credentials=SmtpCredentials(login[0], SecretStr(login[1])) if login else None,
        sender=SENDER,
        timeout_seconds=timeout_seconds,
        tls_context=client_context(certificate) if certificate else None,
    )


@pytest.mark.parametrize("security", ["none", "starttls", "tls"])
async def test_a_message_arrives_with_its_headers_and_both_parts(certificate, security):
    sent = message()
    with smtp_server(security=security, certificate=certificate, login=LOGIN) as server:
        await mailer(server.port, security, certificate).send(sent)
        [received] = server.received()

    assert (received.envelope_from, received.envelope_to) == ("no-reply@cloud.example", ["ada@example.com"])
    headers = received.headers
    assert (headers["From"], headers["To"], headers["Subject"]) == (SENDER, "ada@example.com", sent.subject)
    assert headers["Date"] and headers["Message-ID"].endswith("@cloud.example>")
    assert (received.accepted.text, received.accepted.html) == (sent.text, sent.html)
    assert "Hello Ada &lt;3," in received.accepted.html


async def test_a_server_without_a_login_takes_mail_from_a_mailer_without_one():
    with smtp_server() as server:
        await mailer(server.port, "none", login=None).send(message())
        assert [mail.subject for mail in server.mail_to("ada@example.com")] == [message().subject]


async def test_a_refused_login_is_a_refusal_naming_the_reply_code(certificate):
    with smtp_server(security="starttls", certificate=certificate, login=LOGIN) as server:
        with pytest.raises(MailRefused) as refused:
            await mailer(server.port, "starttls", certificate, login=(LOGIN[0], "not the password")).send(message())
        assert server.received() == []
    assert refused.value.code == "mail_refused:535"


async def test_starttls_is_demanded_never_skipped():
    with smtp_server() as server:
        with pytest.raises(MailRefused):
            await mailer(server.port, "starttls", login=None).send(message())
        assert server.received() == []


async def test_a_certificate_the_mailer_does_not_trust_is_an_outage_and_no_password_is_sent(certificate):
    stranger = issue_certificates([SERVER_NAME]).material(SERVER_NAME)
    with smtp_server(security="starttls", certificate=stranger, login=LOGIN) as server:
        with pytest.raises(ServiceUnavailable):
            await mailer(server.port, "starttls", certificate).send(message())
        assert server.received() == []


async def test_a_server_that_is_down_fails_fast_as_an_outage():
    [closed_port] = free_ports(1)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as raised:
        await mailer(closed_port, "none", login=None).send(message())
    assert raised.value.code == "mail_unavailable"
    assert time.monotonic() - started < TIMEOUT_SECONDS + SLACK_SECONDS


async def test_a_server_that_never_answers_fails_within_the_timeout():
    # Connections complete in the kernel's backlog, but nothing ever greets them.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailable) as raised:
            await mailer(silent.getsockname()[1], "none", login=None).send(message())
        elapsed = time.monotonic() - started
    assert raised.value.code == "mail_unavailable"
    assert TIMEOUT_SECONDS * 0.9 < elapsed < TIMEOUT_SECONDS + SLACK_SECONDS


async def test_the_settings_mailer_sends_with_the_password_of_its_file_and_is_counted(tmp_path):
    password_file = tmp_path / "smtp-password"
    password_file.write_text(LOGIN[1] + "\n")
    metrics = ServiceMetrics()
    with smtp_server(login=LOGIN) as server:
        settings = MailingAwsSettings(
            environment="test",
            mail_transport="smtp",
            mail_sender=SENDER,
            mail_smtp_host=server.host,
            mail_smtp_port=server.port,
            mail_smtp_security="none",
            mail_smtp_user=LOGIN[0],
            mail_smtp_password_file=password_file,
            mail_smtp_timeout_seconds=TIMEOUT_SECONDS,
        )
        with building_for(metrics):
            working = build_mailer(settings)
            down = build_mailer(settings.model_copy(update={"mail_smtp_port": free_ports(1)[0]}))
        await working.send(message())
        with pytest.raises(ServiceUnavailable):
            await down.send(message())
        assert len(server.mail_to("ada@example.com")) == 1

    def count(outcome: str) -> float:
        sample = metrics.registry.get_sample_value(
            "scloud_mail_messages_total", {"kind": "verify_email", "outcome": outcome}
        )
        return sample or 0.0

    assert (count("sent"), count("failed")) == (1, 1)
