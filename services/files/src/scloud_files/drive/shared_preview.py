"""Previewing a file through a share link, signed out: the same allow list as the owner's preview
(images, audio, video, PDF inline; small text-like files as plain text), through a short-lived
presigned URL. A preview is logged as an `open` and never counted against the download limit
(docs/data-model.md, "Previews through a link")."""

from datetime import datetime

from scloud_files.domain import AccessEvent, ItemKind, LinkIsFolder, NotPreviewable, PreviewKind, Visitor, preview_kind
from scloud_files.drive.download_link import CreateDownloadLink
from scloud_files.drive.shared_access import LinkGate
from scloud_files.drive.shared_folder import LinkScope


class PreviewSharedFile:
    def __init__(self, gate: LinkGate, scope: LinkScope, signer: CreateDownloadLink) -> None:
        self._gate = gate
        self._scope = scope
        self._signer = signer

    async def __call__(
        self, link_id: str, visitor: Visitor, *, unlock: str | None, file_id: str | None
    ) -> tuple[str, datetime]:
        """`file_id` None is the linked file (LinkIsFolder for a folder link); otherwise a file
        the folder link reaches. NotPreviewable for a file no browser may be given inline: a
        preview never hands out an attachment, which would be a download outside the limit."""
        link, linked = await self._gate.enter(link_id, visitor, unlock=unlock)
        if file_id is None and linked.is_folder:
            raise LinkIsFolder()
        entry = await self._scope.reach(link, linked, file_id, ItemKind.FILE)
        kind = preview_kind(entry.item)
        if kind is None:
            raise NotPreviewable()
        signed = self._signer.sign(entry.item, inline=True, as_text=kind is PreviewKind.TEXT)
        await self._gate.log(link, visitor, AccessEvent.OPEN)
        return signed
