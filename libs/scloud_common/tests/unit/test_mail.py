"""The mail layout and the outbox, with a recording mailer: what goes out, what is escaped, and
what the outbox does when it is full, failing or stopping."""

import asyncio
import logging

from scloud_common.logs import request_id_var
from scloud_common.mail import MailLayout, MailMessage, MailOutbox, RecordingMailer, sender_address

LAYOUT = MailLayout(public_url="https://cloud.example")


def message(to: str = "ada@example.com") -> MailMessage:
    return LAYOUT.render(kind="test", to=to, name="Ada", subject="hello", paragraphs=["Hi."])


def test_the_layout_escapes_every_value_in_html_and_links_back_to_the_app():
    mail = LAYOUT.render(
        kind="test",
        to="ada@example.com",
        name="<Ada>",
        subject="a & b",
        paragraphs=["1 < 2", "second"],
        action=("Go <now>", "https://cloud.example/x#token=a&b"),
    )
    assert mail.subject == "SCloud: a & b"
    assert "Hello <Ada>," in mail.text and "1 < 2\n\nsecond" in mail.text
    assert "Go <now>:\nhttps://cloud.example/x#token=a&b" in mail.text
    assert "https://cloud.example" in mail.text.splitlines()[-1]
    assert "Hello &lt;Ada&gt;," in mail.html and "<p>1 &lt; 2</p>" in mail.html
    assert '<a href="https://cloud.example/x#token=a&amp;b"' in mail.html
    assert '<a href="https://cloud.example">SCloud</a>' in mail.html


def test_sender_address_drops_the_display_name():
    assert sender_address("SCloud <no-reply@example.com>") == "no-reply@example.com"
    assert sender_address("no-reply@example.com") == "no-reply@example.com"


async def test_jobs_run_in_the_context_they_were_posted_from_and_may_send_nothing():
    mailer = RecordingMailer()
    outbox = MailOutbox(mailer)
    seen: list[str | None] = []

    async def job() -> MailMessage | None:
        seen.append(request_id_var.get())
        return None if len(seen) == 1 else message()

    for request_id in ("r1", "r2"):
        token = request_id_var.set(request_id)
        outbox.post(job)
        request_id_var.reset(token)
    await outbox.drain()
    assert sorted(seen) == ["r1", "r2"]
    assert len(mailer.sent) == 1
    await outbox.close()


async def test_a_full_outbox_drops_new_mail_and_says_so(caplog):
    release = asyncio.Event()
    mailer = RecordingMailer()
    outbox = MailOutbox(mailer, capacity=1, workers=1)

    async def slow() -> MailMessage:
        await release.wait()
        return message()

    outbox.post(slow)
    await asyncio.sleep(0)  # the worker takes the first job
    outbox.post(slow)
    outbox.post(slow)
    assert "mail dropped: the outbox is full" in caplog.text
    release.set()
    await outbox.drain()
    assert len(mailer.sent) == 2
    await outbox.close()


async def test_close_waits_a_bounded_time_then_stops(caplog):
    outbox = MailOutbox(RecordingMailer(), shutdown_wait_seconds=0.1)

    async def never() -> MailMessage:
        await asyncio.Event().wait()
        return message()

    outbox.post(never)
    await asyncio.wait_for(outbox.close(), 2)
    assert "mail dropped at shutdown" in caplog.text
    outbox.post(never)
    assert "the service is stopping" in caplog.text


async def test_a_failed_send_is_logged_by_kind_only(caplog):
    caplog.set_level(logging.WARNING)

    class Refusing:
        async def send(self, message: MailMessage) -> None:
            raise ValueError(f"bad recipient {message.to} for {message.text}")

    outbox = MailOutbox(Refusing())
    outbox.post(lambda: asyncio.sleep(0, message("secret-person@example.com")))
    await outbox.drain()
    [record] = [r for r in caplog.records if r.getMessage() == "mail not sent"]
    assert record.error == "ValueError"
    assert "secret-person" not in caplog.text and "secret-person" not in str(vars(record))
    await outbox.close()
