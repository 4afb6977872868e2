"""SesMailer against the stand-in's SES: a provisioned sender's mail is accepted with both parts,
an unverified sender's is refused with an error that names neither address."""

import pytest

from scloud_common.aws import create_aws_client
from scloud_common.mail import MailLayout
from scloud_common.provisioning import provision_mail_sender
from scloud_common.ses_mail import MailRefused, SesMailer
from scloud_common.settings import MailingAwsSettings
from tests.mail_sink import accepted_mail

pytestmark = pytest.mark.integration


def message_to(recipient: str):
    return MailLayout(public_url="https://cloud.example").render(
        kind="test",
        to=recipient,
        name="Ada <3",
        subject="hello",
        paragraphs=["A & B"],
        action=("Open", "https://x.test/a?b=1&c=2"),
    )


async def test_a_provisioned_sender_sends_text_and_html(aws_endpoint_url, unique_name):
    sender = f"SCloud <no-reply@{unique_name}.test>"
    settings = MailingAwsSettings(aws_endpoint_url=aws_endpoint_url, mail_sender=sender)
    provision_mail_sender(settings)
    provision_mail_sender(settings)  # idempotent
    client = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    recipient = f"ada-{unique_name}@example.com"

    await SesMailer(client, sender).send(message_to(recipient))

    [sent] = [mail for mail in accepted_mail(aws_endpoint_url) if recipient in mail.to]
    assert sent.subject == "SCloud: hello"
    # The stand-in keeps the HTML part when there is one; every value in it is escaped.
    assert "Hello Ada &lt;3," in sent.body
    assert "A &amp; B" in sent.body
    assert 'href="https://x.test/a?b=1&amp;c=2"' in sent.body


async def test_an_unverified_sender_is_refused_without_naming_the_addresses(aws_endpoint_url, unique_name):
    client = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    with pytest.raises(MailRefused) as refused:
        await SesMailer(client, f"nobody@{unique_name}.test").send(message_to("ada@example.com"))
    assert "example.com" not in f"{refused.value.code} {refused.value.message}"
    assert unique_name not in f"{refused.value.code} {refused.value.message}"


async def test_sent_mail_stays_readable_after_a_bucket_with_objects_was_deleted(aws_endpoint_url, unique_name):
    # moto server's /moto-api/data.json failed on such leftovers, and with it every mail test run
    # after a test that deleted a bucket.
    s3 = create_aws_client("s3", region="us-east-1", endpoint_url=aws_endpoint_url)
    bucket = f"{unique_name}-gone"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)
    sender = f"SCloud <no-reply@{unique_name}.test>"
    provision_mail_sender(MailingAwsSettings(aws_endpoint_url=aws_endpoint_url, mail_sender=sender))
    client = create_aws_client("sesv2", region="us-east-1", endpoint_url=aws_endpoint_url)
    recipient = f"ada-{unique_name}@example.com"
    await SesMailer(client, sender).send(message_to(recipient))
    assert [mail.subject for mail in accepted_mail(aws_endpoint_url) if recipient in mail.to] == ["SCloud: hello"]
