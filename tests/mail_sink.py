"""The mail the tests' AWS stand-in accepted through SES, oldest first.

LocalStack lists it at `GET /_aws/ses`. moto server has no such route: its `/moto-api/data.json`
dump has the messages, but fails outright once any test has deleted a bucket that still has
tracked objects. The integration tiers run moto server in this process (the services reach it over
HTTP like any endpoint), so its SES backend is read directly instead.
"""

from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class AcceptedMail:
    to: list[str]
    subject: str
    body: str


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
