"""Mailer on any SMTP server (a mail provider's submission port, a relay on the network), the
adapter behind `mail.Mailer` for running SCloud without Amazon SES. The message on the wire is
the one the other transports make (`mail.compose`).

Failures become the errors SES's give: a server down, slow or answering 4xx (try later) is
`ServiceUnavailable`, one that refuses the login, the sender or the recipient (5xx) is
`MailRefused`. Their codes carry the SMTP reply code only: replies can quote the recipient."""

import asyncio
import ssl

import aiosmtplib

from scloud_common.errors import AppError, ServiceUnavailable
from scloud_common.mail import MailMessage, MailRefused, compose, sender_address
from scloud_common.settings import SmtpCredentials, SmtpSecurity

# RFC 5321: 4yz replies are transient (try again later), 5yz permanent.
_TRANSIENT_REPLIES = range(400, 500)


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: SmtpSecurity,
        credentials: SmtpCredentials | None,
        sender: str,
        timeout_seconds: float,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        """`tls_context` replaces the system's trusted CAs (tests trust their own)."""
        self._host = host
        self._port = port
        self._security = security
        self._credentials = credentials
        self._sender = sender
        self._timeout_seconds = timeout_seconds
        self._tls_context = tls_context

    async def send(self, message: MailMessage) -> None:
        try:
            # aiosmtplib bounds each step; this bounds the whole hand-over.
            async with asyncio.timeout(self._timeout_seconds):
                await self._send(message)
        except aiosmtplib.SMTPException as error:
            raise smtp_failure(error) from None
        except OSError:
            # Refused or reset connections, TLS failures, and the timeout above (TimeoutError).
            raise ServiceUnavailable(code="mail_unavailable") from None

    async def _send(self, message: MailMessage) -> None:
        login = self._credentials
        await aiosmtplib.send(
            compose(message, self._sender),
            sender=sender_address(self._sender),
            recipients=[message.to],
            hostname=self._host,
            port=self._port,
            use_tls=self._security == "tls",
            # True demands STARTTLS: a server without it is refused, never silently used in clear.
            start_tls=self._security == "starttls",
            tls_context=self._tls_context,
            username=login.user if login else None,
            password=login.password.get_secret_value() if login else None,
            timeout=self._timeout_seconds,
        )


def smtp_failure(error: aiosmtplib.SMTPException) -> AppError:
    """The AppError an SMTP failure is reported as, its code naming the reply code only."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        if error.code in _TRANSIENT_REPLIES:
            return ServiceUnavailable(code=f"mail_unavailable:{error.code}")
        return MailRefused(code=f"mail_refused:{error.code}")
    if isinstance(error, OSError):
        # Disconnected, or the connection or a reply timed out.
        return ServiceUnavailable(code="mail_unavailable")
    return MailRefused(code=f"mail_refused:{type(error).__name__}")
