"""ZIP downloads: a one-time link to a selection, then its members as they are streamed."""

import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta

from scloud_common.errors import AppError
from scloud_files.domain import (
    ArchiveEntry,
    ArchiveNotFound,
    ArchiveRequest,
    Item,
    clean_file_name,
    is_compressed,
    natural_name_key,
    numbered_name,
    portable_name,
)
from scloud_files.drive.clock import Clock, timestamp
from scloud_files.drive.folder_path import FolderPaths
from scloud_files.ports import BlobStore, FileRepository
from scloud_files.zip_archive import ArchiveWriter

ARCHIVE_TTL_SECONDS = 60


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CreateArchive:
    def __init__(self, repository: FileRepository, paths: FolderPaths, *, now: Clock) -> None:
        self._repository = repository
        self._paths = paths
        self._now = now

    async def __call__(self, user_id: str, item_ids: Sequence[str], *, name: str | None) -> tuple[str, datetime]:
        """A single-use token, valid for a minute, that downloads the items as one ZIP without the
        access token (a browser navigation carries none). Only its hash is stored."""
        items = [await self._paths.require_live(user_id, item_id) for item_id in dict.fromkeys(item_ids)]
        title = clean_file_name(name) if name else items[0].name if len(items) == 1 and items[0].is_folder else "scloud"
        token = secrets.token_urlsafe(16)
        expires_at = self._now() + timedelta(seconds=ARCHIVE_TTL_SECONDS)
        await self._repository.save_archive(
            _token_hash(token),
            ArchiveRequest(user_id, [item.item_id for item in items], title, timestamp(expires_at)),
        )
        return token, expires_at


class OpenArchive:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        paths: FolderPaths,
        writer: ArchiveWriter,
        *,
        now: Clock,
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self._paths = paths
        self._writer = writer
        self._now = now

    async def __call__(self, token: str) -> tuple[str, AsyncIterator[bytes]]:
        """The archive's file name and its bytes, as they are written, once per token. An archive
        refused for want of room (TooManyArchives, ArchivesBusy) leaves the link usable until it
        expires, so the client may try again."""
        token_hash = _token_hash(token)
        request = await self._repository.claim_archive(token_hash, timestamp(self._now()))
        if request is None:
            raise ArchiveNotFound()
        try:
            self._writer.reserve(request.user_id)
        except AppError:
            await self._repository.save_archive(token_hash, request)
            raise
        entries = self._entries(request)
        return f"{portable_name(request.name)}.zip", self._writer.write(
            request.user_id, entries, self._blob_store.read_blocking
        )

    async def _entries(self, request: ArchiveRequest) -> AsyncIterator[ArchiveEntry]:
        found = await self._repository.get_many(request.user_id, request.item_ids)
        # Trashed since the link was made, or in a folder trashed since: not in the archive.
        live = await self._paths.live_only(
            request.user_id, [item for item in found.values() if item.trashed_at is None]
        )
        live_ids = {item.item_id for item in live}
        used: set[str] = set()
        stack: list[tuple[Item, str]] = []
        for item_id in reversed(request.item_ids):
            if item_id in live_ids:
                stack.append((found[item_id], ""))
        while stack:
            item, directory = stack.pop()
            path = _unique_member(directory + portable_name(item.name), used)
            if not item.is_folder:
                yield ArchiveEntry(path, item.modified_at, item.object_key, item.size or 0, is_compressed(item))
                continue
            yield ArchiveEntry(path + "/", item.modified_at)
            children: list[Item] = []
            async for batch in self._repository.iter_children(item.user_id, item.item_id):
                children.extend(child for child in batch if child.trashed_at is None)
            stack.extend(
                (child, path + "/")
                for child in sorted(children, key=lambda child: natural_name_key(child.name), reverse=True)
            )


def _unique_member(path: str, used: set[str]) -> str:
    candidate, number = path, 0
    while candidate.casefold() in used:
        number += 1
        directory, _, name = path.rpartition("/")
        candidate = (directory + "/" if directory else "") + numbered_name(name, number)
    used.add(candidate.casefold())
    return candidate
