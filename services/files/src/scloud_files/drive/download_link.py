"""One file by id, and the short-lived links that download or preview its bytes."""

from datetime import datetime, timedelta

from scloud_files.domain import (
    TEXT_PREVIEW_TYPE,
    Item,
    ItemKind,
    NotPreviewable,
    content_disposition,
    is_inline_safe,
    is_text_previewable,
)
from scloud_files.drive.activity import ActivityRecorder
from scloud_files.drive.clock import Clock
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.ports import BlobStore


class GetFile:
    def __init__(self, paths: FolderPaths) -> None:
        self._paths = paths

    async def __call__(self, user_id: str, file_id: str) -> Item:
        """The file unless it or a folder above it is trashed (or gone): a trashed folder hides
        everything in it, by id too. Another user's file is as absent as a missing one: the
        lookup key includes the owner."""
        return await self._paths.require_live(user_id, file_id, ItemKind.FILE)


class CreateDownloadLink:
    def __init__(
        self,
        get_file: GetFile,
        blob_store: BlobStore,
        *,
        ttl_seconds: int,
        now: Clock,
        activity: ActivityRecorder | None = None,
    ) -> None:
        """`activity`, for the owner's links only: the file opened goes first in their Recent."""
        self._activity = activity
        self._get_file = get_file
        self._blob_store = blob_store
        self._ttl_seconds = ttl_seconds
        self._now = now

    async def __call__(
        self, user_id: str, file_id: str, *, inline: bool = False, as_text: bool = False
    ) -> tuple[str, datetime]:
        """`inline` is a wish: only a type safe to show inline is ever served inline. `as_text`
        serves a text-like file (code, Markdown, CSV...) as plain text, which no browser runs."""
        stored = await self._get_file(user_id, file_id)
        signed = self.sign(stored, inline=inline, as_text=as_text)
        if self._activity is not None:
            await self._activity.opened(stored)
        return signed

    def sign(self, stored: Item, *, inline: bool = False, as_text: bool = False) -> tuple[str, datetime]:
        """The link of a file already checked to be live and readable by the caller (its owner,
        or a visitor through a share link)."""
        if as_text and not is_text_previewable(stored):
            raise NotPreviewable()
        content_type = TEXT_PREVIEW_TYPE if as_text else stored.content_type or ""
        expires_at = self._now() + timedelta(seconds=self._ttl_seconds)
        assert stored.object_key is not None
        url = self._blob_store.presign_download(
            stored.object_key,
            content_disposition=content_disposition(
                stored.name, inline=as_text or (inline and is_inline_safe(content_type))
            ),
            content_type=content_type,
            ttl_seconds=self._ttl_seconds,
        )
        return url, expires_at
