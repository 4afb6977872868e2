"""SesMailer against the stand-in's SES: a provisioned sender's mail is accepted with both parts,
an unverified sender's is refused with an error that names neither address."""

import httpx
import pytest

from scloud_common.aws import create_aws_client
from scloud_common.mail import MailLayout, MailRefused, SesMailer
from scloud_common.provisioning import provision_mail_sender
from scloud_common.settings import MailingAwsSettings

pytestmark = pytest.mark.integration


def message_to(recipient: str):
    return MailLayout(public_url="https://cloud.example").render(
        to=recipient, name="Ada <3", subject="hello", paragraphs=["A & B"], action=("Open", "https://x.test/a?b=1&c=2")
    )


async def test_a_provisioned_sender_sends_text_and_html(aws_endpoint_url, unique_name):
    sender = f"SCloud <no-reply@{unique_name}.test>"
    settings = MailingAwsSettings(aws_endpoint_url=aws_endpoint_url, mail_sender=sender)
    provision_mail_sender(settings)
    provision_mail_sender(settings)  # idempotent
    client = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    recipient = f"ada-{unique_name}@example.com"

    await SesMailer(client, sender).send(message_to(recipient))

    data = httpx.get(f"{aws_endpoint_url}/moto-api/data.json").json()
    [sent] = [m for m in data["ses"]["Message"] if recipient in m["destinations"]["ToAddresses"]]
    assert sent["subject"] == "SCloud: hello"
    # moto keeps the HTML part when there is one; every value in it is escaped.
    assert "Hello Ada &lt;3," in sent["body"]
    assert "A &amp; B" in sent["body"]
    assert 'href="https://x.test/a?b=1&amp;c=2"' in sent["body"]


async def test_an_unverified_sender_is_refused_without_naming_the_addresses(aws_endpoint_url, unique_name):
    client = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    with pytest.raises(MailRefused) as refused:
        await SesMailer(client, f"nobody@{unique_name}.test").send(message_to("ada@example.com"))
    assert "example.com" not in f"{refused.value.code} {refused.value.message}"
    assert unique_name not in f"{refused.value.code} {refused.value.message}"
