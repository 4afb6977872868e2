"""ZIP downloads through the routes: member names that are safe to extract whatever names are
stored, and an archive file name that carries no path."""

import io
import logging
import zipfile

from scloud_files.domain import FileIdGenerator, Item, ItemKind, ObjectKeys

KEYS = ObjectKeys.for_development()

NOW = "2026-01-02T03:04:05+00:00"
new_id = FileIdGenerator()


def stored(drive, name: str, parent_id: str | None, content: bytes | None = None) -> Item:
    """An item written straight to the store, as older versions may have left it."""
    item_id = new_id()
    item = Item(
        item_id,
        "alice",
        ItemKind.FOLDER if content is None else ItemKind.FILE,
        name,
        parent_id,
        NOW,
        NOW,
        size=None if content is None else len(content),
        content_type=None if content is None else "text/plain",
        object_key=None if content is None else KEYS.file("alice", item_id),
    )
    drive.repository.items[("alice", item_id)] = item
    if item.object_key is not None:
        drive.blobs.objects[item.object_key] = (content or b"", "text/plain")
    return item


async def download(drive, ids: list[str], name: str | None = None):
    body = {"ids": ids, **({"name": name} if name else {})}
    link = await drive.client.post("/api/files/archive", json=body)
    assert link.status_code == 200, link.text
    return await drive.client.get(link.json()["url"])


def is_safe_member(name: str) -> bool:
    segments = name.rstrip("/").split("/")
    return (
        not name.startswith(("/", "\\"))
        and "\\" not in name
        and ":" not in name
        and all(segment not in ("", ".", "..") for segment in segments)
    )


async def test_member_names_stay_inside_the_folder_whatever_is_stored(drive):
    top = stored(drive, "Top", None)
    dots = stored(drive, "..", top.item_id)
    stored(drive, "inside.txt", dots.item_id, b"1")
    deeper = stored(drive, "..", dots.item_id)
    stored(drive, "pwn.txt", deeper.item_id, b"2")
    dot = stored(drive, ".", top.item_id)
    stored(drive, "inside.txt", dot.item_id, b"3")
    for name in ("/etc/passwd", "\\windows\\evil.dll", "C:evil.txt", "c:\\x.txt", "../up.txt", " .. "):
        stored(drive, name, top.item_id, b"4")
    stored(drive, "a_b.txt", top.item_id, b"5")
    stored(drive, "a/b.txt", top.item_id, b"6")

    response = await download(drive, [top.item_id])

    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert all(is_safe_member(name) for name in names), names
    assert all(name.startswith("Top/") for name in names)
    assert len({name.casefold() for name in names}) == len(names)
    assert {"Top/a_b.txt", "Top/a_b (1).txt"} <= set(names)


async def test_the_archive_file_name_carries_no_path(drive):
    file = stored(drive, "f.txt", None, b"x")
    response = await download(drive, [file.item_id], name="../../evil")
    disposition = response.headers["content-disposition"]
    assert "/" not in disposition.replace("%2F", "/").split("filename", 1)[1].replace("UTF-8''", "")
    assert 'filename=".._.._evil.zip"' in disposition


async def test_a_folder_named_dots_downloads_under_a_safe_name(drive):
    folder = stored(drive, "..", None)
    stored(drive, "a.txt", folder.item_id, b"x")
    response = await download(drive, [folder.item_id])
    assert 'filename="__.zip"' in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["__/", "__/a.txt"]


async def test_no_log_record_carries_the_archive_token(drive, caplog):
    file = stored(drive, "f.txt", None, b"x")
    link = (await drive.client.post("/api/files/archive", json={"ids": [file.item_id]})).json()
    token = link["url"].rsplit("/", 1)[1]
    with caplog.at_level(logging.DEBUG):
        assert (await drive.client.get(link["url"])).status_code == 200
        assert (await drive.client.get(link["url"])).status_code == 404
    logged = [record for record in caplog.records if record.name != "httpx"]
    assert any(getattr(record, "path", "") == "/api/v1/files/archive/[redacted]" for record in logged)
    for record in logged:
        assert token not in record.getMessage() and token not in repr(vars(record))
