"""Mail is counted by kind and outcome where it is handed to the transport, and jobs the outbox
drops by reason; a mailer built outside a service's lifespan is not wrapped."""

import pytest

from scloud_common.errors import ServiceUnavailable
from scloud_common.mail import MailLayout, MailMessage, MailOutbox, RecordingMailer, metered
from scloud_common.mail_transport import build_mailer
from scloud_common.metrics import ServiceMetrics, building_for
from scloud_common.settings import MailingAwsSettings

MAIL = "scloud_mail_messages_total"
DROPPED = "scloud_mail_dropped_total"
LAYOUT = MailLayout(public_url="https://cloud.example")


def message(kind: str) -> MailMessage:
    return LAYOUT.render(kind=kind, to="ada@example.com", name="Ada", subject="hello", paragraphs=["Hi."])


class DownMailer:
    async def send(self, message: MailMessage) -> None:
        raise ServiceUnavailable(code="mail_unavailable")


def value(metrics: ServiceMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_sent_and_failed_mail_is_counted_by_its_kind():
    metrics = ServiceMetrics()
    with building_for(metrics):
        working, down = metered(RecordingMailer()), metered(DownMailer())
    await working.send(message("verify_email"))
    await working.send(message("verify_email"))
    with pytest.raises(ServiceUnavailable):
        await down.send(message("password_reset"))
    assert value(metrics, MAIL, kind="verify_email", outcome="sent") == 2
    assert value(metrics, MAIL, kind="password_reset", outcome="failed") == 1
    assert value(metrics, MAIL, kind="verify_email", outcome="failed") == 0


async def test_the_settings_mailer_of_a_service_being_built_is_counted(tmp_path):
    metrics = ServiceMetrics()
    settings = MailingAwsSettings(environment="development", mail_transport="directory", mail_directory=tmp_path)
    with building_for(metrics):
        mailer = build_mailer(settings)
    await mailer.send(message("share_notice"))
    assert value(metrics, MAIL, kind="share_notice", outcome="sent") == 1


def test_a_mailer_built_outside_a_service_is_left_as_it_is():
    mailer = RecordingMailer()
    assert metered(mailer) is mailer


async def test_jobs_the_outbox_drops_are_counted_by_reason():
    metrics = ServiceMetrics()
    with building_for(metrics):
        outbox = MailOutbox(RecordingMailer(), capacity=1, workers=1)

    async def job() -> MailMessage:
        return message("new_device")

    outbox.post(job)
    outbox.post(job)
    assert value(metrics, DROPPED, reason="outbox_full") == 1
    await outbox.close()
    outbox.post(job)
    assert value(metrics, DROPPED, reason="stopping") == 1
