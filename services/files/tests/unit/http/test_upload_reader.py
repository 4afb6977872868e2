import pytest
from starlette.requests import ClientDisconnect

from scloud_files.domain import FileTooLarge, InvalidUpload
from scloud_files.http.upload_reader import MultipartFileReader

BOUNDARY = "----scloudboundary42"
CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


def form(*parts: tuple[str, dict, bytes]) -> bytes:
    body = b""
    for name, extra, content in parts:
        disposition = f'form-data; name="{name}"'.encode() + b"".join(
            f'; {key}="'.encode() + value + b'"' for key, value in extra.get("params", {}).items()
        )
        body += f"--{BOUNDARY}\r\n".encode() + b"Content-Disposition: " + disposition + b"\r\n"
        if "type" in extra:
            body += f"Content-Type: {extra['type']}\r\n".encode()
        body += b"\r\n" + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


async def stream(body: bytes, size: int):
    for start in range(0, len(body), size):
        yield body[start : start + size]


async def read_file(body: bytes, chunk_size: int = 65536, max_body_bytes: int = 10**6):
    reader = MultipartFileReader(stream(body, chunk_size), CONTENT_TYPE, max_body_bytes=max_body_bytes)
    part = await reader.open_file()
    content = b"".join([chunk async for chunk in part.chunks])
    return part.file_name, part.content_type, content


@pytest.mark.parametrize("chunk_size", [1, 7, 65536])
async def test_reads_the_file_field_whatever_the_chunking(chunk_size):
    content = bytes(range(256)) * 40 + b"\r\n--not-the-boundary\r\n"
    body = form(
        ("note", {}, b"a field before"),
        ("file", {"params": {"filename": "résumé 日本.txt".encode()}, "type": "text/plain"}, content),
        ("after", {}, b"ignored"),
    )
    assert await read_file(body, chunk_size) == ("résumé 日本.txt", "text/plain", content)


async def test_file_part_without_type_or_name():
    assert await read_file(form(("file", {}, b"x"))) == ("", None, b"x")


async def test_the_body_is_read_only_as_the_file_is_consumed():
    received = []

    async def body():
        for chunk in (form(("file", {"params": {"filename": b"a"}}, b"first"))[:-30], b"ignored" * 10):
            received.append(chunk)
            yield chunk

    reader = MultipartFileReader(body(), CONTENT_TYPE, max_body_bytes=10**6)
    await reader.open_file()
    assert len(received) == 1


async def test_missing_file_field_is_invalid():
    with pytest.raises(InvalidUpload):
        await read_file(form(("other", {"params": {"filename": b"a.txt"}}, b"x")))


@pytest.mark.parametrize("content_type", [None, "application/json", "multipart/form-data", "text/plain; boundary=x"])
async def test_body_that_is_not_multipart_is_invalid(content_type):
    with pytest.raises(InvalidUpload):
        MultipartFileReader(stream(b"", 1), content_type, max_body_bytes=100)


async def test_truncated_body_is_invalid():
    body = form(("file", {"params": {"filename": b"a.txt"}}, b"x" * 100))
    with pytest.raises(InvalidUpload):
        await read_file(body[:-60])


async def test_garbage_body_is_invalid():
    with pytest.raises(InvalidUpload):
        await read_file(b"no boundary here at all\r\n" * 3)


async def test_body_over_the_cap_is_too_large():
    with pytest.raises(FileTooLarge):
        await read_file(form(("file", {"params": {"filename": b"a"}}, b"x" * 5000)), 512, max_body_bytes=4000)


async def test_client_disconnect_is_an_invalid_upload():
    async def body():
        yield form(("file", {"params": {"filename": b"a"}}, b"x" * 100))[:150]
        raise ClientDisconnect()

    reader = MultipartFileReader(body(), CONTENT_TYPE, max_body_bytes=10**6)
    part = await reader.open_file()
    with pytest.raises(InvalidUpload):
        async for _ in part.chunks:
            pass


async def test_drain_reads_the_rest_but_stops_at_the_cap():
    received = 0

    async def body():
        nonlocal received
        for _ in range(100):
            received += 1000
            yield b"x" * 1000

    reader = MultipartFileReader(body(), CONTENT_TYPE, max_body_bytes=5000)
    await reader.drain()
    assert received == 6000


@pytest.mark.parametrize("chunk_size", [1, 65536])
async def test_a_second_file_field_is_invalid_before_the_file_counts_as_received(chunk_size):
    body = form(
        ("file", {"params": {"filename": b"a.txt"}}, b"first"),
        ("note", {}, b"a field between"),
        ("file", {"params": {"filename": b"b.txt"}}, b"second"),
    )
    with pytest.raises(InvalidUpload, match="more than one"):
        await read_file(body, chunk_size)


@pytest.mark.parametrize(
    "sent, typed",
    [
        (b"q%22uote;.txt", 'q"uote;.txt'),
        (b"a%0D%0Ab.txt", "a\r\nb.txt"),
        (b"100%25 sure %41.txt", "100%25 sure %41.txt"),
        (b"<script>alert(1)</script>.html", "<script>alert(1)</script>.html"),
    ],
)
async def test_file_name_is_read_back_as_the_browser_form_encoding_escaped_it(sent, typed):
    name, _, _ = await read_file(form(("file", {"params": {"filename": sent}}, b"x")))
    assert name == typed
