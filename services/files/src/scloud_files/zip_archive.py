"""ZIP archives written as they are sent, with stream-zip, each by ONE thread of a pool kept for
archives: the thread reads each member's bytes from the blob store itself (blocking reads, no
hop per chunk), zips them and hands blocks to the response through a few slots. Nothing waits
on a thread the event loop needs: the producer waits only on the consumer (bounded: a reader
too slow ends its archive) and on the loop for the next member (bounded too), and the loop
never waits on the producer. stream-zip's own async bridge ran the zipper on the loop's default
executor, which also ran every S3 read: six archives at once took all its threads and the
service never answered again."""

import asyncio
import contextlib
import contextvars
import itertools
import logging
import stat
import threading
import zlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar

from stream_zip import ZIP_AUTO, stream_zip

from scloud_files.domain import ArchiveEntry, ArchivesBusy, TooManyArchives

logger = logging.getLogger(__name__)

# Light deflate for what compresses; level 0 (stored blocks) for what is compressed already.
_COMPRESSION_LEVEL = 1
SAMPLE_BYTES = 64 * 1024
# What the producer hands over at a time: few hops between the threads, little memory held.
BLOCK_BYTES = 256 * 1024
# Blocks waiting for the client per archive: memory per archive is about this times BLOCK_BYTES.
HANDOFF_SLOTS = 4
RETRY_AFTER_SECONDS = 5

_Result = TypeVar("_Result")


class ArchiveAbandoned(Exception):
    """The client stopped reading (or reads too slowly): the producer gives its thread back."""


class _End:
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class _Handoff:
    """Blocks from the producer thread to the response on the loop. The producer takes a slot
    per block and the response gives it back once the block is sent, so the producer is at most
    HANDOFF_SLOTS blocks ahead and waits, at most `stall_seconds`, for a slow client."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, stall_seconds: float) -> None:
        self._loop = loop
        self._stall_seconds = stall_seconds
        self._queue: asyncio.Queue[bytes | _End] = asyncio.Queue()
        self._slots = threading.Semaphore(HANDOFF_SLOTS)
        self._closed = threading.Event()

    def send(self, block: bytes) -> None:
        if not self._slots.acquire(timeout=self._stall_seconds) or self._closed.is_set():
            raise ArchiveAbandoned()
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, block)
        except RuntimeError:  # the loop is closed
            raise ArchiveAbandoned() from None

    def end(self, error: BaseException | None = None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is reading anymore
            self._loop.call_soon_threadsafe(self._queue.put_nowait, _End(error))

    def next_entry(self, entries: AsyncIterator[ArchiveEntry]) -> ArchiveEntry:
        """The next entry, read on the loop (the repository is async); this thread waits at most
        `stall_seconds`. The loop never waits on this thread, so this cannot deadlock.
        StopAsyncIteration after the last."""

        async def fetch() -> ArchiveEntry:
            return await anext(entries)

        future = self._on_loop(fetch())
        try:
            return future.result(timeout=self._stall_seconds)
        except TimeoutError:
            future.cancel()
            raise ArchiveAbandoned() from None

    def close_entries(self, entries: AsyncIterator[ArchiveEntry]) -> None:
        async def close() -> None:
            aclose = getattr(entries, "aclose", None)
            if aclose is not None:
                await aclose()

        with contextlib.suppress(ArchiveAbandoned):
            self._on_loop(close())

    def _on_loop(self, coroutine: Coroutine[Any, Any, _Result]) -> "Future[_Result]":
        try:
            return asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        except RuntimeError:  # the loop is closed: nobody is reading anymore
            coroutine.close()
            raise ArchiveAbandoned() from None

    async def blocks(self) -> AsyncIterator[bytes]:
        try:
            while True:
                block = await self._queue.get()
                if isinstance(block, _End):
                    if block.error is not None:
                        raise block.error
                    return
                yield block
                self._slots.release()
        finally:
            self._closed.set()
            self._slots.release()


class ArchiveWriter:
    """Writes archives on a pool of `max_archives` threads, at most `max_per_user` of them for
    one user; beyond that an archive is refused at once (never queued behind the others)."""

    def __init__(self, *, max_archives: int, max_per_user: int, stall_seconds: float) -> None:
        # One thread more than archives: the health watchdog's probe always finds one free, so
        # only threads stuck past every bound make the process unhealthy.
        self.executor = ThreadPoolExecutor(max_workers=max_archives + 1, thread_name_prefix="archive")
        self._max_archives = max_archives
        self._max_per_user = max_per_user
        self._stall_seconds = stall_seconds
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()

    def reserve(self, user_id: str) -> None:
        """Takes a place for one of the user's archives: ArchivesBusy (503) if every thread is
        taken, TooManyArchives (429) if the user has their share already."""
        with self._lock:
            if self._running.total() >= self._max_archives:
                raise ArchivesBusy(retry_after_seconds=RETRY_AFTER_SECONDS)
            if self._running[user_id] >= self._max_per_user:
                raise TooManyArchives(retry_after_seconds=RETRY_AFTER_SECONDS)
            self._running[user_id] += 1

    def release(self, user_id: str) -> None:
        with self._lock:
            self._running[user_id] -= 1
            if self._running[user_id] <= 0:
                del self._running[user_id]

    def write(
        self, user_id: str, entries: AsyncIterator[ArchiveEntry], read: Callable[[str], Iterator[bytes]]
    ) -> AsyncIterator[bytes]:
        """The archive of `entries`, for a place `reserve(user_id)` took; the place is given back
        when its thread is done."""
        handoff = _Handoff(asyncio.get_running_loop(), stall_seconds=self._stall_seconds)

        def produce() -> None:
            try:
                for block in stream_zip(_members(entries, read, handoff), chunk_size=BLOCK_BYTES):
                    handoff.send(block)
                handoff.end()
            except ArchiveAbandoned as exc:
                logger.info("archive abandoned by its reader", extra={"user_id": user_id})
                handoff.end(exc)
            except Exception as exc:
                logger.warning("archive failed", extra={"user_id": user_id, "error": repr(exc)})
                handoff.end(exc)
            finally:
                handoff.close_entries(entries)
                self.release(user_id)

        # The request's context goes along, so the producer's logs carry its request id.
        self.executor.submit(contextvars.copy_context().run, produce)
        return handoff.blocks()


def _members(
    entries: AsyncIterator[ArchiveEntry], read: Callable[[str], Iterator[bytes]], handoff: _Handoff
) -> Iterator[tuple[str, datetime, int, Any, Iterator[bytes]]]:
    while True:
        try:
            entry = handoff.next_entry(entries)
        except StopAsyncIteration:
            return
        modified = datetime.fromisoformat(entry.modified_at)
        if entry.object_key is None:
            yield entry.path, modified, stat.S_IFDIR | 0o755, ZIP_AUTO(0), iter(())
            continue
        chunks = read(entry.object_key)
        first = next(chunks, b"")
        level = 0 if entry.compressed or not _compresses(first) else _COMPRESSION_LEVEL
        method = ZIP_AUTO(entry.size, level=level)
        yield entry.path, modified, stat.S_IFREG | 0o644, method, itertools.chain((first,), chunks)


def _compresses(sample: bytes) -> bool:
    """Whether deflate gains anything on the start of a member: random-looking bytes (an
    encrypted or compressed file under any name) are stored as they are, at a fraction of the
    CPU. The method must be chosen before the member's bytes are written."""
    sample = sample[:SAMPLE_BYTES]
    return len(zlib.compress(sample, _COMPRESSION_LEVEL)) < len(sample) * 0.9
