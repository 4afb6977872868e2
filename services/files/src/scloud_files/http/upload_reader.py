"""Reads the `file` field of a multipart/form-data body as it arrives, with python-multipart's
streaming parser, so an upload never has to fit in memory or on disk."""

import re
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from scloud_common.errors import AppError
from scloud_files.domain import FileTooLarge, InvalidUpload, UploadInterrupted
from scloud_files.drive.upload import UploadFile

# Room for the multipart framing and any small fields around the file.
MULTIPART_OVERHEAD_BYTES = 1024 * 1024
FILE_FIELD = "file"
# The HTML standard's multipart/form-data encoding escapes only these three in a file name (and
# not `%` itself), so they are the only escapes to undo.
_FORM_NAME_ESCAPES = {b"%22": b'"', b"%0D": b"\r", b"%0A": b"\n"}
_FORM_NAME_ESCAPE = re.compile(rb"%22|%0D|%0A")


@dataclass(frozen=True)
class FilePart:
    file_name: str
    content_type: str | None
    chunks: AsyncIterator[bytes]


def decode_form_file_name(raw: bytes) -> str:
    """The file name as the user typed it: browsers send `"`, CR and LF as %22, %0D and %0A."""
    unescaped = _FORM_NAME_ESCAPE.sub(lambda match: _FORM_NAME_ESCAPES[match.group()], raw)
    return unescaped.decode("utf-8", errors="replace")


def _disposition_options(headers: dict[bytes, bytes]) -> dict[bytes, bytes]:
    return parse_options_header(headers.get(b"content-disposition"))[1]


class MultipartFileReader:
    def __init__(self, body: AsyncIterable[bytes], content_type: str | None, *, max_body_bytes: int) -> None:
        media_type, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if media_type != b"multipart/form-data" or not boundary:
            raise InvalidUpload()
        self._body = aiter(body)
        self._max_body_bytes = max_body_bytes
        self._received = 0
        self._body_done = False
        self._events: deque[tuple[str, bytes]] = deque()
        header_field = bytearray()
        header_value = bytearray()

        def on_header_field(data: bytes, start: int, end: int) -> None:
            header_field.extend(data[start:end])

        def on_header_value(data: bytes, start: int, end: int) -> None:
            header_value.extend(data[start:end])

        def on_header_end() -> None:
            self._events.append(("header", bytes(header_field).lower() + b":" + bytes(header_value)))
            header_field.clear()
            header_value.clear()

        try:
            self._parser = MultipartParser(
                boundary,
                {
                    "on_part_begin": lambda: self._events.append(("part_begin", b"")),
                    "on_header_field": on_header_field,
                    "on_header_value": on_header_value,
                    "on_header_end": on_header_end,
                    "on_headers_finished": lambda: self._events.append(("headers_finished", b"")),
                    "on_part_data": lambda data, start, end: self._events.append(("data", bytes(data[start:end]))),
                    "on_part_end": lambda: self._events.append(("part_end", b"")),
                    "on_end": lambda: self._events.append(("end", b"")),
                },
            )
        except MultipartParseError:
            raise InvalidUpload() from None

    async def open_file(self) -> FilePart:
        """Skips to the `file` field; its bytes are then read through the returned part's chunks."""
        while (headers := await self._next_part_headers()) is not None:
            disposition = _disposition_options(headers)
            if disposition.get(b"name") == FILE_FIELD.encode():
                content_type = headers.get(b"content-type")
                return FilePart(
                    file_name=decode_form_file_name(disposition.get(b"filename", b"")),
                    content_type=content_type.decode("latin-1") if content_type else None,
                    chunks=self._part_data(),
                )
        raise InvalidUpload("The form has no `file` field.")

    async def drain(self) -> None:
        """Reads and drops the rest of the body, up to the body limit, so the response reaches a
        client that is still sending rather than being cut off by a reset connection."""
        try:
            while await self._read_chunk() is not None:
                pass
        except (InvalidUpload, FileTooLarge):
            pass

    async def _part_data(self) -> AsyncIterator[bytes]:
        while True:
            kind, value = await self._next_event()
            if kind == "data":
                yield value
            elif kind == "part_end":
                break
            elif kind == "end":
                return
        # The file only counts as received once the rest of the form is known to hold no second
        # `file` field, which would otherwise be silently dropped.
        await self._refuse_another_file()

    async def _refuse_another_file(self) -> None:
        while (headers := await self._next_part_headers()) is not None:
            if _disposition_options(headers).get(b"name") == FILE_FIELD.encode():
                raise InvalidUpload("Send one file per upload: the form has more than one `file` field.")

    async def _next_part_headers(self) -> dict[bytes, bytes] | None:
        """The headers of the next part, skipping the data of the current one; None at the end."""
        headers: dict[bytes, bytes] = {}
        while True:
            kind, value = await self._next_event()
            if kind == "part_begin":
                headers = {}
            elif kind == "header":
                name, _, header_value = value.partition(b":")
                headers[name.strip()] = header_value.strip()
            elif kind == "headers_finished":
                return headers
            elif kind == "end":
                return None

    async def _next_event(self) -> tuple[str, bytes]:
        while not self._events:
            if self._body_done:
                raise InvalidUpload("The upload ended before the file did.")
            await self._read_more()
        return self._events.popleft()

    async def _read_more(self) -> None:
        chunk = await self._read_chunk()
        if chunk is None:
            return
        try:
            self._parser.write(chunk)
        except MultipartParseError:
            raise InvalidUpload() from None

    async def _read_chunk(self) -> bytes | None:
        if self._body_done:
            return None
        try:
            chunk = await anext(self._body, None)
        except ClientDisconnect:
            self._body_done = True
            raise UploadInterrupted() from None
        if chunk is None:
            self._body_done = True
            return None
        self._received += len(chunk)
        if self._received > self._max_body_bytes:
            self._body_done = True
            raise FileTooLarge()
        return chunk


Stored = TypeVar("Stored")


async def receive_file(
    request: Request, user_id: str, upload: UploadFile, store: Callable[[FilePart], Awaitable[Stored]]
) -> Stored:
    """Streams a one-file form to `store` under the user's upload slot: a declared length past
    the limit is refused before a byte is read (413), and the rest of the body is read after
    any answer, so a client still sending gets it rather than a reset connection."""
    max_body_bytes = upload.max_upload_bytes + MULTIPART_OVERHEAD_BYTES
    declared_length = request.headers.get("content-length", "")
    if declared_length.isdigit() and int(declared_length) > max_body_bytes:
        raise FileTooLarge()
    with upload.slots.hold(user_id):
        reader = MultipartFileReader(
            request.stream(), request.headers.get("content-type"), max_body_bytes=max_body_bytes
        )
        try:
            stored = await store(await reader.open_file())
        except AppError:
            await reader.drain()
            raise
        await reader.drain()
    return stored
