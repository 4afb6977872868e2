"""Thumbnails, made off the request path: a recorded image is handed to the worker, which reads
it, renders its renditions on its own small pool and stores them beside the object; a catch-up
pass hands it what is still PENDING (after a restart, or when the queue was full). The link to a
rendition is presigned like a download."""

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import Executor
from datetime import datetime, timedelta

from scloud_files.domain import (
    THUMBNAIL_CONTENT_TYPE,
    Item,
    Rendition,
    ThumbnailNotFound,
    ThumbnailState,
    UnusableImage,
    content_disposition,
    rendition_key,
    rendition_keys,
)
from scloud_files.drive.clock import Clock
from scloud_files.drive.download_link import GetFile
from scloud_files.ports import BlobStore, FileRepository, ThumbnailRenderer

logger = logging.getLogger(__name__)


class MakeThumbnail:
    def __init__(
        self,
        repository: FileRepository,
        blob_store: BlobStore,
        renderer: ThumbnailRenderer,
        *,
        executor: Executor,
        max_source_bytes: int,
        timeout_seconds: float,
    ) -> None:
        self._repository = repository
        self._blob_store = blob_store
        self._renderer = renderer
        self._executor = executor
        self._max_source_bytes = max_source_bytes
        self._timeout = timeout_seconds

    async def __call__(self, item: Item) -> ThumbnailState | None:
        """Makes and stores the renditions of a PENDING file and records the outcome: READY, or
        REFUSED for an image too big, hostile or broken, or one that takes longer than the time
        bound. None if there was nothing to do (gone, done already, or in the trash: it stays
        PENDING, and a restore puts it back among `pending_thumbnails`). If the file went away
        while its renditions were made, they are deleted again."""
        current = await self._repository.get(item.user_id, item.item_id)
        if (
            current is None
            or current.thumbnail is not ThumbnailState.PENDING
            or current.object_key is None
            or current.trashed_at is not None
        ):
            return None
        key = current.object_key
        try:
            if (current.size or 0) > self._max_source_bytes:
                raise UnusableImage()
            loop = asyncio.get_running_loop()
            renditions = await asyncio.wait_for(
                loop.run_in_executor(self._executor, self._read_and_render, key), self._timeout
            )
        except (UnusableImage, TimeoutError):
            logger.info("image refused for a thumbnail", extra={"user_id": item.user_id, "file_id": item.item_id})
            await self._repository.set_thumbnail(current, ThumbnailState.REFUSED)
            return ThumbnailState.REFUSED
        for rendition, data in renditions.items():
            await self._blob_store.put(
                rendition_key(key, rendition), _one_chunk(data), content_type=THUMBNAIL_CONTENT_TYPE
            )
        if not await self._repository.set_thumbnail(current, ThumbnailState.READY):
            await delete_renditions(self._blob_store, key)
            return None
        return ThumbnailState.READY

    def _read_and_render(self, key: str) -> dict[Rendition, bytes]:
        source = bytearray()
        for chunk in self._blob_store.read_blocking(key):
            source += chunk
            if len(source) > self._max_source_bytes:
                raise UnusableImage()
        return self._renderer.render_blocking(bytes(source))


async def _one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def delete_renditions(blob_store: BlobStore, object_key: str) -> None:
    for key in rendition_keys(object_key):
        await blob_store.delete(key)


class ThumbnailWorker:
    """A bounded queue and a fixed number of consumers. `submit` never waits: past the bound the
    file stays PENDING and the catch-up pass brings it back."""

    def __init__(self, make: MakeThumbnail, repository: FileRepository, *, queue_size: int, concurrency: int) -> None:
        self._make = make
        self._repository = repository
        self._queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=queue_size)
        self._concurrency = concurrency
        # Ids queued or being made, so the catch-up pass never queues a file twice.
        self._queued: set[tuple[str, str]] = set()

    def submit(self, item: Item) -> bool:
        if item.thumbnail is not ThumbnailState.PENDING:
            return False
        key = (item.user_id, item.item_id)
        if key in self._queued:
            return True
        try:
            self._queue.put_nowait(item)
        except asyncio.QueueFull:
            logger.warning("thumbnail queue full; left for the catch-up pass", extra={"file_id": item.item_id})
            return False
        self._queued.add(key)
        return True

    async def catch_up(self, *, limit: int) -> int:
        """Queues up to `limit` PENDING files (as many as the queue takes); how many were queued."""
        pending = await self._repository.pending_thumbnails(limit=min(limit, self._queue.maxsize))
        return sum(self.submit(item) for item in pending)

    async def run(self) -> None:
        """The consumers, until cancelled; a failure is logged and the file left PENDING."""
        async with asyncio.TaskGroup() as group:
            for _ in range(self._concurrency):
                group.create_task(self._consume())

    async def _consume(self) -> None:
        while True:
            item = await self._queue.get()
            try:
                await self._make(item)
            except Exception:
                logger.exception("thumbnail failed; left for the catch-up pass", extra={"file_id": item.item_id})
            finally:
                self._queued.discard((item.user_id, item.item_id))
                self._queue.task_done()

    async def drained(self) -> None:
        """Returns once everything queued so far is done."""
        await self._queue.join()


async def catch_up_periodically(worker: ThumbnailWorker, *, interval_seconds: float, batch: int) -> None:
    """Runs until cancelled, the first pass at once; a failed pass is logged and tried again."""
    while True:
        try:
            await worker.catch_up(limit=batch)
        except Exception:
            logger.exception("thumbnail catch-up failed")
        await asyncio.sleep(interval_seconds)


class CreateThumbnailLink:
    def __init__(self, get_file: GetFile, blob_store: BlobStore, *, ttl_seconds: int, now: Clock) -> None:
        self._get_file = get_file
        self._blob_store = blob_store
        self._ttl_seconds = ttl_seconds
        self._now = now

    async def __call__(self, user_id: str, file_id: str, rendition: Rendition) -> tuple[str, datetime]:
        """A presigned GET of the rendition; ThumbnailNotFound unless the file's thumbnail is READY."""
        stored = await self._get_file(user_id, file_id)
        if stored.thumbnail is not ThumbnailState.READY or stored.object_key is None:
            raise ThumbnailNotFound()
        url = self._blob_store.presign_download(
            rendition_key(stored.object_key, rendition),
            content_disposition=content_disposition(f"{rendition.value}.webp", inline=True),
            content_type=THUMBNAIL_CONTENT_TYPE,
            ttl_seconds=self._ttl_seconds,
        )
        return url, self._now() + timedelta(seconds=self._ttl_seconds)
