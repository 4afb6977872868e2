"""The share notice as mailed: to the address the owner typed, naming the owner and the item, a
link to "Shared with me" for an account, and to sign up for an invitation."""

import dataclasses

from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer
from scloud_files.adapters.share_notice_mail import MailedShareNotices
from scloud_files.domain import ItemKind
from scloud_files.domain.grant import Grant, Role, person_id_of

GRANT = Grant(
    owner_id="alice",
    item_id="01M96S4R1R6NPWHP09BWFZYHZQ",
    person_id=person_id_of("bob@example.com"),
    email="bob@example.com",
    role=Role.EDITOR,
    item_kind=ItemKind.FOLDER,
    item_name="Holiday",
    owner_name="Alice",
    created_at="2026-11-25T09:30:00+00:00",
    grantee_id="bob",
)


async def test_an_account_is_sent_to_shared_with_me_and_an_invitation_to_sign_up():
    mailer = RecordingMailer()
    outbox = MailOutbox(mailer)
    notices = MailedShareNotices(outbox, MailLayout(public_url="http://app.test"))
    notices.shared(GRANT)
    notices.shared(dataclasses.replace(GRANT, grantee_id=None, expires_at="2026-12-25T09:30:00+00:00"))
    await outbox.drain()
    account, invitation = mailer.sent
    assert account.to == invitation.to == "bob@example.com"
    assert "Alice" in account.subject and "Holiday" in account.subject
    assert "http://app.test/shared-with-me" in account.text and "upload" in account.text
    assert "http://app.test/register" in invitation.text and "30 days" in invitation.text
    assert "alice" not in account.text + invitation.text
    await outbox.close()
