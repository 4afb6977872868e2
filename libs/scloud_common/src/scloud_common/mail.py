"""Email: the message, its layout (plain text and HTML) and wire form, the Mailer port, and an
outbox that sends off the request path. The senders live beside it (`ses_mail`, `smtp_mail`,
`directory_mail`), so this module loads no AWS or SMTP client code.

Answers never wait on mail: a route posts a job to the outbox and returns. A job may do the
lookups that decide whether there is anything to send at all, so an answer takes the same time
whether or not, say, an account exists. Nothing here logs an address, a subject or a link.
"""

import asyncio
import contextvars
import html
import logging
import string
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid, parseaddr
from typing import Protocol

from scloud_common.errors import AppError
from scloud_common.event_metrics import EventMetrics, MailDropReason, MailOutcome, current_event_metrics

logger = logging.getLogger(__name__)

PRODUCT_NAME = "SCloud"


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    text: str
    html: str
    # Which mail this is (`verify_email`, `share_notice`...): the label it is counted under.
    kind: str = "other"


class Mailer(Protocol):
    async def send(self, message: MailMessage) -> None:
        """Hands the message to the mail service; raises AppError when it refuses or is down."""
        ...


class MailRefused(AppError):
    """The mail service refused the message (unverified sender, refused recipient or login, bad
    request...). Its code names the service's reason, never an address."""

    code = "mail_refused"


class MeteredMailer:
    """Counts what `mailer` sends and fails to send, by the message's kind."""

    def __init__(self, mailer: Mailer, events: EventMetrics) -> None:
        self._mailer = mailer
        self._events = events

    async def send(self, message: MailMessage) -> None:
        try:
            await self._mailer.send(message)
        except Exception:
            self._events.mail_handed_over(message.kind, MailOutcome.FAILED)
            raise
        self._events.mail_handed_over(message.kind, MailOutcome.SENT)


def metered(mailer: Mailer) -> Mailer:
    """`mailer`, counted in the metrics of the service being built (as is, outside one)."""
    events = current_event_metrics()
    return mailer if events is None else MeteredMailer(mailer, events)


class RecordingMailer:
    """Keeps what it is asked to send, for unit tests."""

    def __init__(self) -> None:
        self.sent: list[MailMessage] = []

    async def send(self, message: MailMessage) -> None:
        self.sent.append(message)


def sender_address(sender: str) -> str:
    """The bare address of a sender such as `SCloud <no-reply@example.com>`."""
    return parseaddr(sender)[1]


def compose(message: MailMessage, sender: str) -> bytes:
    """The message as SES would send it: From, To, Subject, Date, a Message-ID, and a
    multipart/alternative body of the text and the HTML part, with CRLF line ends."""
    mail = EmailMessage(policy=SMTP)
    mail["From"] = sender
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=True)
    # A domain of our own: without one, make_msgid asks the resolver for this host's name.
    mail["Message-ID"] = make_msgid(domain=sender_address(sender).rpartition("@")[2] or "scloud.localhost")
    mail.set_content(message.text)
    mail.add_alternative(message.html, subtype="html")
    return mail.as_bytes()


_TEXT = string.Template("""Hello $name,

$paragraphs
$action
--
$product · $public_url
""")

_HTML = string.Template("""<!doctype html>
<html lang="en"><body style="font-family: sans-serif; line-height: 1.5; color: #1f2937; max-width: 36rem">
<p>Hello $name,</p>
$paragraphs
$action
<hr style="border: none; border-top: 1px solid #e5e7eb">
<p style="font-size: 0.85rem; color: #6b7280"><a href="$public_url">$product</a></p>
</body></html>
""")


@dataclass(frozen=True)
class MailLayout:
    """How every message looks: a greeting, paragraphs, at most one link to act on, and a footer
    naming the product with a link back to the app. Every value is escaped in the HTML part."""

    public_url: str
    product: str = PRODUCT_NAME

    def link(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def render(
        self,
        *,
        kind: str,
        to: str,
        name: str,
        subject: str,
        paragraphs: Sequence[str],
        action: tuple[str, str] | None = None,
    ) -> MailMessage:
        """`kind` names the mail for the metrics (a fixed word, never a value of the message);
        `action` is a (label, url) pair shown as a link."""
        text_action = f"\n{action[0]}:\n{action[1]}\n" if action else ""
        html_action = (
            f'<p><a href="{html.escape(action[1])}" style="font-weight: bold">{html.escape(action[0])}</a></p>'
            f'<p style="font-size: 0.85rem; color: #6b7280">{html.escape(action[1])}</p>'
            if action
            else ""
        )
        values = {"product": self.product, "public_url": self.public_url}
        text = _TEXT.substitute(values, name=name, paragraphs="\n\n".join(paragraphs) + "\n", action=text_action)
        body = _HTML.substitute(
            {key: html.escape(value) for key, value in values.items()},
            name=html.escape(name),
            paragraphs="\n".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs),
            action=html_action,
        )
        return MailMessage(to=to, subject=f"{self.product}: {subject}", text=text, html=body, kind=kind)


MailJob = Callable[[], Awaitable[MailMessage | None]]


class MailOutbox:
    """A bounded queue of mail jobs drained by a few background tasks. A job composes its message
    (or decides there is none to send); a full queue drops the job. Failures are logged by kind
    only, never with the address, the subject or a link."""

    def __init__(self, mailer: Mailer, *, capacity: int = 200, workers: int = 2, shutdown_wait_seconds: float = 5.0):
        self._mailer = mailer
        self._queue: asyncio.Queue[tuple[MailJob, contextvars.Context]] = asyncio.Queue(capacity)
        self._workers_wanted = workers
        self._workers: list[asyncio.Task[None]] = []
        self._shutdown_wait_seconds = shutdown_wait_seconds
        self._closed = False
        self._events = current_event_metrics()

    def post(self, job: MailJob) -> None:
        """Queues the job; it runs later with the context of this call (request id, client address)."""
        if self._closed:
            logger.warning("mail dropped: the service is stopping")
            self._record_drop(MailDropReason.STOPPING)
            return
        if not self._workers:
            # In a context of their own: each job runs in the context it was posted from instead.
            self._workers = [
                asyncio.create_task(self._work(), context=contextvars.Context()) for _ in range(self._workers_wanted)
            ]
        try:
            self._queue.put_nowait((job, contextvars.copy_context()))
        except asyncio.QueueFull:
            logger.warning("mail dropped: the outbox is full")
            self._record_drop(MailDropReason.OUTBOX_FULL)

    def _record_drop(self, reason: MailDropReason) -> None:
        if self._events is not None:
            self._events.mail_job_dropped(reason)

    async def _work(self) -> None:
        while True:
            job, context = await self._queue.get()
            try:
                await asyncio.create_task(self._run(job), context=context)
            except Exception as error:
                logger.warning(
                    "mail not sent", extra={"error": type(error).__name__, "code": getattr(error, "code", None)}
                )
            finally:
                self._queue.task_done()

    async def _run(self, job: MailJob) -> None:
        message = await job()
        if message is not None:
            await self._mailer.send(message)

    async def drain(self) -> None:
        """Waits until every queued job has run."""
        await self._queue.join()

    async def close(self) -> None:
        """Gives queued mail a bounded time to go, then stops the workers."""
        self._closed = True
        try:
            await asyncio.wait_for(self._queue.join(), self._shutdown_wait_seconds)
        except TimeoutError:
            logger.warning("mail dropped at shutdown", extra={"count": self._queue.qsize()})
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
