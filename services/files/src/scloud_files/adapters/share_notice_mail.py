"""ShareNotices by mail, through scloud_common's outbox: composed and sent off the request path,
so the owner's answer neither waits for the mail nor tells, by its timing, whether it went to an
account or to an invitation."""

from scloud_common.mail import MailLayout, MailMessage, MailOutbox
from scloud_files.domain import ItemKind
from scloud_files.domain.grant import Grant, Role

SHARED_WITH_ME_PATH = "/shared-with-me"
SIGN_UP_PATH = "/register"

WHAT_ROLE_ALLOWS = {
    Role.VIEWER: "You can open and download it.",
    Role.EDITOR: "You can open and download it, and change what it holds: upload, rename, move and delete.",
}


class MailedShareNotices:
    def __init__(self, outbox: MailOutbox, layout: MailLayout) -> None:
        self._outbox = outbox
        self._layout = layout

    def shared(self, grant: Grant) -> None:
        async def compose() -> MailMessage:
            return self.message(grant)

        self._outbox.post(compose)

    def message(self, grant: Grant) -> MailMessage:
        what = "a folder" if grant.item_kind is ItemKind.FOLDER else "a file"
        paragraphs = [f"{grant.owner_name} shared {what} with you: “{grant.item_name}”.", WHAT_ROLE_ALLOWS[grant.role]]
        if grant.is_invitation:
            paragraphs.append(
                "Create an account with this email address and verify it within 30 days to see it "
                "under “Shared with me”."
            )
            action = ("Create an account", self._layout.link(SIGN_UP_PATH))
        else:
            action = ("Open “Shared with me”", self._layout.link(SHARED_WITH_ME_PATH))
        return self._layout.render(
            kind="share_notice",
            to=grant.email,
            name=grant.email,
            subject=f"{grant.owner_name} shared “{grant.item_name}” with you",
            paragraphs=paragraphs,
            action=action,
        )
