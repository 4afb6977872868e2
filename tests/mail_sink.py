"""The mail the tests' AWS stand-in accepted through SES, or the directory transport wrote, oldest
first.

LocalStack lists it at `GET /_aws/ses`. moto server has no such route: its `/moto-api/data.json`
dump has the messages, but fails outright once any test has deleted a bucket that still has
tracked objects. The integration tiers run moto server in this process (the services reach it over
HTTP like any endpoint), so its SES backend is read directly instead.
"""

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import httpx

from scloud_common.directory_mail import SUFFIX


@dataclass(frozen=True)
class AcceptedMail:
    to: list[str]
    subject: str
    # The HTML part, or the text part when there is none.
    body: str
    # Both parts, where the sink keeps them apart (the directory transport does).
    text: str = ""
    html: str = ""


def accepted_mail(aws_endpoint_url: str, region: str = "us-east-1") -> list[AcceptedMail]:
    response = httpx.get(f"{aws_endpoint_url}/_aws/ses", timeout=10)
    if response.status_code == 200:
        return [
            AcceptedMail(
                m["Destination"]["ToAddresses"], m["Subject"], m["Body"].get("html_part") or m["Body"]["text_part"]
            )
            for m in response.json()["messages"]
        ]
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    messages = ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages
    return [AcceptedMail(m.destinations["ToAddresses"], m.subject, m.body) for m in messages if hasattr(m, "subject")]


def directory_mail(directory: Path) -> list[AcceptedMail]:
    """The messages the directory transport (`scloud_common.directory_mail`) wrote into
    `directory`, oldest first: its file names sort by time, and half-written files have other names."""
    if not directory.is_dir():
        return []
    return [parse_eml(path.read_bytes()) for path in sorted(directory.glob(f"*{SUFFIX}"))]


def parse_eml(content: bytes) -> AcceptedMail:
    """An RFC 5322 message as `compose` makes it, its two parts apart."""
    mail = message_from_bytes(content, policy=policy.default)
    assert isinstance(mail, EmailMessage)
    # Lines end in CRLF on the wire (RFC 5322); the message was composed with newlines.
    parts = {
        subtype: part.get_content().replace("\r\n", "\n") if (part := mail.get_body((subtype,))) is not None else ""
        for subtype in ("plain", "html")
    }
    return AcceptedMail(
        to=[address.addr_spec for address in mail["To"].addresses],
        subject=str(mail["Subject"]),
        body=parts["html"] or parts["plain"],
        text=parts["plain"],
        html=parts["html"],
    )
