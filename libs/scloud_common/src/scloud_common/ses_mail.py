"""Mailer on Amazon SES v2 (or the local stand-in's SES), the adapter behind `mail.Mailer`."""

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from scloud_common.aws import AwsCall, AwsFailure, classify_aws_error
from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailMessage, MailRefused

__all__ = ["MailRefused", "SesMailer"]


class SesMailer:
    """Sends through Amazon SES v2 (or the local stand-in's SES) from a verified sender.

    Failures become AppErrors carrying only the AWS error code: SES messages can quote the
    recipient, which must not reach the logs."""

    def __init__(self, client: BaseClient, sender: str) -> None:
        self._sender = sender
        self._call = AwsCall(client)

    async def send(self, message: MailMessage) -> None:
        try:
            await self._send(message)
        except (BotoCoreError, ClientError) as exc:
            if classify_aws_error(exc) is AwsFailure.OUTAGE:
                raise ServiceUnavailable(code="mail_unavailable") from None
            aws_code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""
            raise MailRefused(code=f"mail_refused:{aws_code or type(exc).__name__}") from None

    async def _send(self, message: MailMessage) -> None:
        await self._call(
            "send_email",
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [message.to]},
            Content={
                "Simple": {
                    "Subject": {"Data": message.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": message.text, "Charset": "UTF-8"},
                        "Html": {"Data": message.html, "Charset": "UTF-8"},
                    },
                }
            },
        )
