"""The owner's notices of files received through their requests, batched: a notice is due one
interval after the first file it lists arrived, so a request sends at most one mail per
interval whatever its visitors send. Each files process runs `notify_periodically`."""

import asyncio
import logging

from scloud_common.errors import AppError, NotFound
from scloud_common.mail import Mailer, MailLayout, MailMessage
from scloud_files.domain import FileRequest
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.file_request import RequestLimits
from scloud_files.ports import FileRepository, FileRequestStore, UserDirectory

logger = logging.getLogger(__name__)

NOTICE_BATCH = 50
KIB = 1024


def readable_size(size: int) -> str:
    if size < KIB:
        return f"{size} bytes"
    value, unit = size / KIB, "KB"
    for larger in ("MB", "GB"):
        if value < KIB:
            break
        value, unit = value / KIB, larger
    return f"{value:.1f} {unit}"


class SendRequestNotices:
    def __init__(
        self,
        requests: FileRequestStore,
        repository: FileRepository,
        users: UserDirectory,
        mailer: Mailer,
        layout: MailLayout,
        limits: RequestLimits,
        *,
        now: Clock,
    ) -> None:
        self._requests = requests
        self._repository = repository
        self._users = users
        self._mailer = mailer
        self._layout = layout
        self._limits = limits
        self._now = now

    async def __call__(self, *, limit: int = NOTICE_BATCH) -> int:
        """Sends the notices due, one mail per request; how many went. A notice whose mail fails
        stays due and goes at a later pass."""
        due = await self._requests.due_notices(timestamp(self._now()), limit=limit)
        sent = 0
        for request in due:
            try:
                await self._send(request)
            except AppError as error:
                logger.warning("file request notice not sent", extra={"error": error.code})
                continue
            next_due = timestamp(self._now() + self._limits.notice_interval)
            await self._requests.clear_notice(request, next_due_at=next_due)
            sent += 1
        return sent

    async def _send(self, request: FileRequest) -> None:
        try:
            profile = await self._users.get_profile(request.owner_id)
        except NotFound:
            return
        folder = await self._repository.get(request.owner_id, request.folder_id)
        if not profile.email or folder is None:
            return
        await self._mailer.send(self.compose(request, to=profile.email, name=profile.display_name, folder=folder.name))

    def compose(self, request: FileRequest, *, to: str, name: str, folder: str) -> MailMessage:
        count = len(request.notice_pending) + request.notice_more
        files = "a file" if count == 1 else f"{count} files"
        paragraphs = [f"Your file request for the folder “{folder}” received {files}:"]
        paragraphs += [f"• {file.name} ({readable_size(file.size)})" for file in request.notice_pending]
        if request.notice_more:
            paragraphs.append(f"… and {request.notice_more} more.")
        notes = list(dict.fromkeys(file.note for file in request.notice_pending if file.note))
        if notes:
            paragraphs.append("Notes the senders left for you:")
            paragraphs += [f"“{note}”" for note in notes]
        return self._layout.render(
            kind="request_notice",
            to=to,
            name=name,
            subject=f"{files} received in “{folder}”",
            paragraphs=paragraphs,
            action=("Open the folder", self._layout.link(f"/files/{request.folder_id}")),
        )


async def notify_periodically(send: SendRequestNotices, *, interval_seconds: float) -> None:
    """Runs until cancelled: a full batch is followed at once by the next, a failed pass is logged
    and tried again at the next interval."""
    while True:
        try:
            while await send() == NOTICE_BATCH:
                pass
        except Exception:
            logger.exception("file request notices failed")
        await asyncio.sleep(interval_seconds)
