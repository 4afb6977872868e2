"""WebDAV at /dav on the in-memory fakes: the whole files app in-process (wsgidav through a2wsgi,
the loop bridge on the test's own loop), driven with WebDAV requests and checked against what
the drive then holds."""

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import quote, unquote

import httpx
import pytest

from scloud_files.dav import provider as dav_provider
from services.files.tests.unit.http.conftest import EMAILS

DAV = "{DAV:}"
QUOTA = 300_000


@dataclass(frozen=True)
class Entry:
    is_folder: bool
    size: int | None


@pytest.fixture
def drive_settings(drive_settings):
    return drive_settings.model_copy(update={"max_upload_bytes": 200_000, "quota_bytes": QUOTA})


@pytest.fixture
async def dav(drive):
    """A client with alice's email and token as the Basic credentials, as a WebDAV client sends them."""
    async with httpx.AsyncClient(
        transport=drive.transport, base_url="http://t", auth=(EMAILS["alice"], alice_token(drive))
    ) as client:
        yield client


def alice_token(drive) -> str:
    return drive.client.headers["Authorization"].removeprefix("Bearer ")


async def propfind(dav, path: str, depth: str) -> dict[str, Entry]:
    """What a PROPFIND lists, by path below /dav ("" the root, folders ending in "/")."""
    response = await dav.request("PROPFIND", path, headers={"Depth": depth})
    assert response.status_code == 207, response.text
    listed = {}
    for answer in ET.fromstring(response.content).iter(f"{DAV}response"):
        href = unquote(answer.findtext(f"{DAV}href")).removeprefix("/dav/")
        is_folder = answer.find(f".//{DAV}resourcetype/{DAV}collection") is not None
        length = answer.findtext(f".//{DAV}getcontentlength")
        listed[href] = Entry(is_folder, int(length) if length is not None else None)
    return listed


async def api_names(drive) -> list[str]:
    """The names the files API lists in the root folder."""
    response = await drive.client.get("/api/folders/root/children", params={"limit": 100})
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


async def test_propfind_depth_0_is_the_resource_and_depth_1_its_members_with_sizes(dav):
    assert (await dav.request("MKCOL", "/dav/Docs")).status_code == 201
    assert (await dav.put("/dav/Docs/a.txt", content=b"12345")).status_code == 201
    assert (await dav.put("/dav/b.bin", content=b"x" * 1000)).status_code == 201
    assert await propfind(dav, "/dav/", "0") == {"": Entry(True, None)}
    assert await propfind(dav, "/dav/", "1") == {
        "": Entry(True, None),
        "Docs/": Entry(True, None),
        "b.bin": Entry(False, 1000),
    }
    assert await propfind(dav, "/dav/Docs/", "1") == {"Docs/": Entry(True, None), "Docs/a.txt": Entry(False, 5)}
    assert await propfind(dav, "/dav/Docs/a.txt", "0") == {"Docs/a.txt": Entry(False, 5)}
    assert (await dav.request("PROPFIND", "/dav/missing", headers={"Depth": "0"})).status_code == 404


async def test_a_folder_larger_than_a_page_is_listed_whole(dav, monkeypatch):
    monkeypatch.setattr(dav_provider, "LIST_PAGE", 2)
    names = [f"f{number}.txt" for number in range(7)]
    for name in names:
        assert (await dav.put(f"/dav/{name}", content=name.encode())).status_code == 201
    listed = await propfind(dav, "/dav/", "1")
    assert listed == {"": Entry(True, None)} | {name: Entry(False, len(name)) for name in names}


async def test_put_then_get_gives_back_the_same_bytes_and_a_second_put_replaces_them(dav, drive):
    content = os.urandom(150_000)
    assert (await dav.put("/dav/data.bin", content=content)).status_code == 201
    got = await dav.get("/dav/data.bin")
    assert got.status_code == 200 and got.content == content
    assert (await dav.put("/dav/data.bin", content=b"shorter")).status_code == 204
    assert (await dav.get("/dav/data.bin")).content == b"shorter"
    assert await api_names(drive) == ["data.bin"]


async def test_odd_names_round_trip_through_urls(dav, drive):
    for name in ("with space.txt", "hash#tag.txt", "100% sure.txt", "naïve café.txt"):
        url = "/dav/" + quote(name)
        assert (await dav.put(url, content=name.encode())).status_code == 201, name
        assert (await dav.get(url)).content == name.encode()
    assert sorted(await api_names(drive)) == sorted(
        ["with space.txt", "hash#tag.txt", "100% sure.txt", "naïve café.txt"]
    )


async def test_mkcol_makes_a_folder_and_refuses_one_without_a_parent_or_twice(dav, drive):
    assert (await dav.request("MKCOL", "/dav/New%20folder")).status_code == 201
    assert (await dav.request("MKCOL", "/dav/New%20folder")).status_code == 405
    assert (await dav.request("MKCOL", "/dav/missing/child")).status_code == 409
    assert await api_names(drive) == ["New folder"]


async def test_move_renames_and_moves_into_a_folder(dav):
    await dav.request("MKCOL", "/dav/Target")
    await dav.put("/dav/a.txt", content=b"a")
    moved = await dav.request("MOVE", "/dav/a.txt", headers={"Destination": "http://t/dav/Target/b%20c.txt"})
    assert moved.status_code == 201, moved.text
    assert (await dav.get("/dav/a.txt")).status_code == 404
    assert (await dav.get("/dav/Target/b%20c.txt")).content == b"a"
    renamed = await dav.request("MOVE", "/dav/Target", headers={"Destination": "http://t/dav/Renamed"})
    assert renamed.status_code == 201, renamed.text
    assert set(await propfind(dav, "/dav/", "1")) == {"", "Renamed/"}
    assert (await dav.get("/dav/Renamed/b%20c.txt")).content == b"a"


async def test_copy_makes_an_independent_copy_of_a_file_and_of_a_folder_tree(dav, drive):
    await dav.request("MKCOL", "/dav/Src")
    await dav.request("MKCOL", "/dav/Src/Inner")
    await dav.put("/dav/Src/Inner/f.txt", content=b"inner")
    copied = await dav.request("COPY", "/dav/Src/Inner/f.txt", headers={"Destination": "http://t/dav/g.txt"})
    assert copied.status_code == 201, copied.text
    tree = await dav.request("COPY", "/dav/Src", headers={"Destination": "http://t/dav/Dst", "Depth": "infinity"})
    assert tree.status_code == 201, tree.text
    assert (await dav.get("/dav/g.txt")).content == b"inner"
    assert (await dav.get("/dav/Dst/Inner/f.txt")).content == b"inner"
    await dav.put("/dav/Src/Inner/f.txt", content=b"changed")
    assert (await dav.get("/dav/Dst/Inner/f.txt")).content == b"inner"
    usage = (await drive.client.get("/api/files/limits")).json()
    # The replaced content is kept as the file's earlier version, which counts until the
    # retention policy removes it; nothing went to the trash.
    assert (usage["usedBytes"], usage["trashBytes"]) == (len(b"changed") + 3 * len(b"inner"), 0)


async def test_copy_onto_an_existing_file_replaces_it_only_when_overwrite_allows(dav):
    await dav.put("/dav/a.txt", content=b"a")
    await dav.put("/dav/b.txt", content=b"b")
    refused = await dav.request("COPY", "/dav/a.txt", headers={"Destination": "http://t/dav/b.txt", "Overwrite": "F"})
    assert refused.status_code == 412
    assert (await dav.get("/dav/b.txt")).content == b"b"
    replaced = await dav.request("COPY", "/dav/a.txt", headers={"Destination": "http://t/dav/b.txt"})
    assert replaced.status_code == 204, replaced.text
    assert (await dav.get("/dav/b.txt")).content == b"a"


async def test_delete_moves_the_item_to_the_trash(dav, drive):
    await dav.request("MKCOL", "/dav/Old")
    await dav.put("/dav/Old/f.txt", content=b"f")
    assert (await dav.delete("/dav/Old")).status_code == 204
    assert (await dav.request("PROPFIND", "/dav/Old", headers={"Depth": "0"})).status_code == 404
    trash = (await drive.client.get("/api/trash")).json()
    assert [item["name"] for item in trash["items"]] == ["Old"]


@pytest.mark.parametrize(
    "credentials",
    [
        None,
        (EMAILS["alice"], "not-a-token"),
        # alice's own token under bob's email, or under her user id: the name must be her email.
        (EMAILS["bob"], "alice's token"),
        ("alice", "alice's token"),
        ("", "alice's token"),
    ],
)
async def test_a_missing_or_wrong_token_or_user_name_is_challenged_for_basic_credentials(drive, credentials):
    if credentials is not None and credentials[1] == "alice's token":
        credentials = (credentials[0], alice_token(drive))
    async with httpx.AsyncClient(transport=drive.transport, base_url="http://t", auth=credentials) as client:
        for method in ("PROPFIND", "GET", "PUT"):
            response = await client.request(method, "/dav/", headers={"Depth": "0"})
            assert response.status_code == 401
            assert response.headers["WWW-Authenticate"] == 'Basic realm="SCloud"'


async def test_the_email_is_matched_whatever_its_case_and_surrounding_blanks(drive):
    auth = ("  Alice@Example.COM ", alice_token(drive))
    async with httpx.AsyncClient(transport=drive.transport, base_url="http://t", auth=auth) as client:
        assert (await client.request("PROPFIND", "/dav/", headers={"Depth": "0"})).status_code == 207


async def test_a_put_past_the_quota_is_507_and_stores_nothing(dav, drive):
    assert (await dav.put("/dav/first.bin", content=b"x" * 150_000)).status_code == 201
    refused = await dav.put("/dav/second.bin", content=b"y" * 160_000)
    assert refused.status_code == 507
    assert (await dav.get("/dav/second.bin")).status_code == 404
    assert await api_names(drive) == ["first.bin"]
    assert len(drive.blobs.objects) == 1
