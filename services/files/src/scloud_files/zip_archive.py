"""ZIP archives written as they are sent, with stream-zip: each member's bytes flow from the blob
store into the deflate stream and out, so neither the archive nor a member is ever held whole."""

import stat
import zlib
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime
from typing import Any

from stream_zip import ZIP_64, async_stream_zip

from scloud_files.domain import ArchiveEntry

# Most stored files are compressed already; a light level keeps the CPU out of the way.
_COMPRESSION_LEVEL = 1


def _compressor() -> "zlib._Compress":
    return zlib.compressobj(wbits=-zlib.MAX_WBITS, level=_COMPRESSION_LEVEL)


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield


def zip_stream(
    entries: AsyncIterator[ArchiveEntry], read: Callable[[str], AsyncIterator[bytes]]
) -> AsyncIterable[bytes]:
    async def members() -> AsyncIterator[tuple[str, datetime, int, Any, AsyncIterator[bytes]]]:
        async for entry in entries:
            modified = datetime.fromisoformat(entry.modified_at)
            if entry.object_key is None:
                yield entry.path, modified, stat.S_IFDIR | 0o755, ZIP_64, _nothing()
            else:
                yield entry.path, modified, stat.S_IFREG | 0o644, ZIP_64, read(entry.object_key)

    return async_stream_zip(members(), get_compressobj=_compressor)
