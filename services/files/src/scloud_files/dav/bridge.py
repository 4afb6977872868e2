"""wsgidav is synchronous and runs on a2wsgi's worker threads; the drive's use cases are
coroutines on the service's event loop. The bridge runs one there and waits for it."""

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar

from wsgidav.dav_error import DAVError

from scloud_common.errors import AppError
from scloud_common.web import HTTP_STATUS

T = TypeVar("T")
# A metadata call waits at most this long; an upload waits for as long as its body takes.
CALL_TIMEOUT_SECONDS = 60.0
# Chunks of a PUT body queued for the upload: bounds what one upload holds in memory.
QUEUED_CHUNKS = 4
# An upload that takes no chunk (and does not end) for this long is stalled: its storage calls
# are bounded one by one, so only a hung loop gets here; the PUT fails rather than hold a thread.
UPLOAD_STALL_SECONDS = 300.0


def dav_error(exc: AppError) -> DAVError:
    return DAVError(HTTP_STATUS[exc.kind], exc.message)


class LoopBridge:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None

    def run(
        self,
        coroutine: Coroutine[Any, Any, T],
        *,
        timeout: float | None = CALL_TIMEOUT_SECONDS,
        passing: tuple[type[AppError], ...] = (),
    ) -> T:
        """The coroutine's result; a domain error comes back as the DAVError of its status, but
        those of `passing` as they are (the sign-in answers a refused token with a challenge)."""
        future = self.submit(coroutine)
        try:
            return future.result(timeout)
        except TimeoutError as exc:
            future.cancel()
            raise DAVError(504, "SCloud took too long to answer.") from exc
        except passing:
            raise
        except AppError as exc:
            raise dav_error(exc) from exc

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> "concurrent.futures.Future[T]":
        assert self.loop is not None, "the DAV app has not served a request yet"
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)


class UploadWriter:
    """The file object wsgidav writes a PUT body into: each chunk is handed to an upload running
    on the loop, which stores it as it arrives. A refused upload (quota, size limit) raises at
    the next write, so the body stops there."""

    def __init__(self, bridge: LoopBridge, upload: Callable[[AsyncIterator[bytes]], Coroutine[Any, Any, object]]):
        self._bridge = bridge
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue(QUEUED_CHUNKS)
        self._upload: concurrent.futures.Future[Any] = bridge.submit(upload(self._chunks()))
        self.item: Any = None

    async def _chunks(self) -> AsyncIterator[bytes]:
        while (chunk := await self._queue.get()) is not None:
            yield chunk

    def write(self, data: bytes) -> None:
        self._hand(bytes(data))

    def close(self) -> None:
        self._hand(None)
        self.item = self._result()

    def abort(self) -> None:
        self._upload.cancel()

    def _hand(self, chunk: bytes | None) -> None:
        if self._upload.done():
            self._result()
        put: concurrent.futures.Future[Any] = self._bridge.submit(self._queue.put(chunk))
        waited: list[concurrent.futures.Future[Any]] = [put, self._upload]
        concurrent.futures.wait(waited, timeout=UPLOAD_STALL_SECONDS, return_when=concurrent.futures.FIRST_COMPLETED)
        if not put.done():
            put.cancel()
            self._result()

    def _result(self) -> object:
        try:
            return self._upload.result(UPLOAD_STALL_SECONDS)
        except concurrent.futures.TimeoutError as exc:
            self._upload.cancel()
            raise DAVError(504, "The upload stalled.") from exc
        except AppError as exc:
            raise dav_error(exc) from exc


class ChunkReader:
    """A file object over the bytes' chunks, for wsgidav's GET."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            size = len(self._buffer)
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
