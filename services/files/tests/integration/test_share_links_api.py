"""Share links through the real app on the real stores: SQLite with SeaweedFS (which checks the
presigned signatures) and DynamoDB with S3 on moto. Each option and refusal as a visitor meets it,
a folder link's containment (by id and by archive), and an access log that never holds a full
address, read straight from the stores."""

import io
import sqlite3
import time
import zipfile
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from scloud_files.adapters.in_memory_share import InMemoryUserDirectory
from scloud_files.bootstrap import bootstrap
from scloud_files.config import FilesSettings
from scloud_files.http.app import create_app
from scloud_files.ports import AccountProfile
from tests.fake_auth import FakeAuth

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
VISITOR_ADDRESS = "203.0.113.77"
EXPIRY_WAIT_SECONDS = 15.0
PUBLIC = "/api/files/public/links"


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request) -> str:
    return request.param


@pytest.fixture
def share_settings(store, request) -> FilesSettings:
    limits = {"share_bcrypt_rounds": 10, "share_attempts_per_link": 3}
    if store == "dynamodb":
        return request.getfixturevalue("settings").model_copy(update=limits)
    return request.getfixturevalue("settings_on_seaweedfs")(max_upload_bytes=MIB, **limits)


class Api:
    def __init__(self, client: httpx.AsyncClient, auth: FakeAuth) -> None:
        self.client = client
        self.auth = auth

    def user(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.auth.token(user_id, 's-' + user_id)}"}

    async def folder(self, name: str, parent: str = "root", user: str = "alice") -> str:
        response = await self.client.post(
            "/api/folders", json={"name": name, "parentId": parent}, headers=self.user(user)
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def upload(self, name: str, content: bytes, parent: str = "root", user: str = "alice") -> str:
        response = await self.client.post(
            f"/api/files/upload?parentId={parent}", files={"file": (name, content)}, headers=self.user(user)
        )
        assert response.status_code == 201, response.text
        return response.json()["id"]

    async def share(self, item_id: str, **options) -> dict:
        response = await self.client.post(
            "/api/files/links", json={"itemId": item_id, **options}, headers=self.user("alice")
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def log(self, link: dict) -> list[dict]:
        response = await self.client.get(f"/api/files/links/{link['id']}/log", headers=self.user("alice"))
        return response.json()["items"]


@pytest.fixture
async def api(share_settings):
    auth = FakeAuth()
    for user in ("alice", "bob"):
        auth.active_sessions.add(("s-" + user, user))
    users = InMemoryUserDirectory({"alice": AccountProfile(True, "Alice"), "bob": AccountProfile(True, "Bob")})

    async def build(settings):
        return await bootstrap(settings, key_source=auth, session_source=auth, users=users)

    app = create_app(share_settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(VISITOR_ADDRESS, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=60) as client:
            yield Api(client, auth)


@pytest.fixture
async def tree(api):
    team = await api.folder("team")
    deep = await api.folder("deep", team)
    old = await api.folder("old", team)
    items = {
        "team": team,
        "deep": deep,
        "old": old,
        "a": await api.upload("a.txt", b"alpha", team),
        "c": await api.upload("c.txt", b"charlie", deep),
        "d": await api.upload("d.txt", b"delta", old),
        "outside": await api.upload("outside.txt", b"outside"),
        "bob": await api.upload("bob.txt", b"bob's", user="bob"),
    }
    assert (await api.client.delete(f"/api/folders/{old}", headers=api.user("alice"))).status_code == 204
    return items


async def test_a_visitor_browses_downloads_and_zips_a_folder_link(api, tree, store):
    link = await api.share(tree["team"])
    base = f"{PUBLIC}/{link['linkId']}"
    top = (await api.client.get(f"{base}/folders/root/children")).json()
    assert top["folder"]["id"] == "root" and top["folder"]["name"] == "team"
    assert [item["name"] for item in top["items"]] == ["deep", "a.txt"]
    deep = (await api.client.get(f"{base}/folders/{tree['deep']}/children?sort=size&order=desc")).json()
    assert [item["name"] for item in deep["items"]] == ["c.txt"]
    item = (await api.client.get(f"{base}/items/{tree['c']}")).json()
    assert (item["name"], [entry["name"] for entry in item["path"]]) == ("c.txt", ["deep"])

    signed = await api.client.post(f"{base}/files/{tree['c']}/download")
    assert signed.status_code == 200, signed.text
    if store == "sqlite":  # SeaweedFS checks the signature; moto takes any
        async with httpx.AsyncClient(timeout=30) as s3:
            assert (await s3.get(signed.json()["url"])).content == b"charlie"
            tampered = signed.json()["url"].replace("c.txt", "x.txt")
            assert tampered != signed.json()["url"]
            assert (await s3.get(tampered)).status_code == 403

    archive = await api.client.post(f"{base}/archive", json={"ids": [tree["deep"], tree["a"]]})
    assert archive.status_code == 200, archive.text
    zipped = await api.client.get(archive.json()["url"])
    assert zipped.status_code == 200
    assert sorted(zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()) == ["a.txt", "deep/", "deep/c.txt"]

    events = [entry["event"] for entry in await api.log(link)]
    assert sorted(events) == ["download", "list", "list", "open", "zip"]


@pytest.mark.parametrize("outside", ["outside", "bob", "old", "d"])
async def test_a_folder_link_reaches_nothing_outside_its_folder(api, tree, outside):
    base = f"{PUBLIC}/{(await api.share(tree['team']))['linkId']}"
    item_id = tree[outside]
    refused = [
        await api.client.get(f"{base}/items/{item_id}"),
        await api.client.get(f"{base}/folders/{item_id}/children"),
        await api.client.post(f"{base}/files/{item_id}/download"),
        await api.client.post(f"{base}/archive", json={"ids": ["root", item_id]}),
    ]
    assert [(response.status_code, response.json()["error"]["code"]) for response in refused] == [
        (404, "item_not_found")
    ] * 4


async def test_a_visitor_previews_inline_without_spending_the_download_limit(api, tree, store):
    pdf = await api.upload("report.pdf", b"%PDF-1.7 the report")
    link = await api.share(pdf, downloadLimit=1)
    base = f"{PUBLIC}/{link['linkId']}"
    assert (await api.client.get(base)).json()["preview"] == "pdf"
    previews = [await api.client.get(f"{base}/preview") for _ in range(3)]
    assert [response.status_code for response in previews] == [200] * 3, previews[0].text
    url = previews[0].json()["url"]
    assert "response-content-disposition=inline" in url
    if store == "sqlite":  # SeaweedFS serves what was signed
        async with httpx.AsyncClient(timeout=30) as s3:
            served = await s3.get(url)
        assert served.content == b"%PDF-1.7 the report"
        assert served.headers["content-disposition"].startswith("inline;")
        assert served.headers["content-type"] == "application/pdf"
    assert (await api.client.get(base)).json()["downloadsLeft"] == 1

    assert (await api.client.post(f"{base}/download")).status_code == 200
    exhausted = await api.client.get(f"{base}/preview")
    assert (exhausted.status_code, exhausted.json()["error"]["code"]) == (410, "link_exhausted")
    events = [entry["event"] for entry in await api.log(link)]
    assert sorted(events) == ["download", *["open"] * 5, "refused"]


async def test_previews_follow_the_allow_list_and_a_folder_links_containment(api, tree, store):
    archive = await api.upload("bundle.zip", b"PK\x03\x04 not a real zip")
    refused = await api.client.get(f"{PUBLIC}/{(await api.share(archive))['linkId']}/preview")
    assert (refused.status_code, refused.json()["error"]["code"]) == (422, "not_previewable")

    base = f"{PUBLIC}/{(await api.share(tree['team']))['linkId']}"
    listed = (await api.client.get(f"{base}/folders/root/children")).json()["items"]
    assert {item["name"]: item["preview"] for item in listed} == {"deep": None, "a.txt": "text"}
    text = await api.client.get(f"{base}/files/{tree['a']}/preview")
    assert text.status_code == 200, text.text
    if store == "sqlite":
        async with httpx.AsyncClient(timeout=30) as s3:
            served = await s3.get(text.json()["url"])
        assert (served.content, served.headers["content-type"]) == (b"alpha", "text/plain; charset=utf-8")
    whole = await api.client.get(f"{base}/preview")
    outside = await api.client.get(f"{base}/files/{tree['outside']}/preview")
    assert [(response.status_code, response.json()["error"]["code"]) for response in (whole, outside)] == [
        (422, "link_is_folder"),
        (404, "item_not_found"),
    ]


async def test_revoked_exhausted_and_expired_links_are_refused_with_410(api, tree):
    revoked = await api.share(tree["team"])
    await api.client.delete(f"/api/files/links/{revoked['id']}", headers=api.user("alice"))
    once = await api.share(tree["team"], downloadLimit=1)
    assert (await api.client.post(f"{PUBLIC}/{once['linkId']}/files/{tree['a']}/download")).status_code == 200
    soon = await api.share(tree["a"], expiresAt=(datetime.now(UTC) + timedelta(seconds=2)).isoformat())

    answers = {
        "link_revoked": await api.client.get(f"{PUBLIC}/{revoked['linkId']}/folders/root/children"),
        "link_exhausted": await api.client.post(f"{PUBLIC}/{once['linkId']}/archive", json={"ids": ["root"]}),
    }
    deadline = time.monotonic() + EXPIRY_WAIT_SECONDS
    expired = await api.client.get(f"{PUBLIC}/{soon['linkId']}")
    while expired.status_code == 200 and time.monotonic() < deadline:
        expired = await api.client.get(f"{PUBLIC}/{soon['linkId']}")
    answers["link_expired"] = expired
    assert {code: (response.status_code, response.json()["error"]["code"]) for code, response in answers.items()} == {
        code: (410, code) for code in answers
    }


async def test_wrong_passwords_are_refused_then_throttled_with_retry_after(api, tree):
    link = await api.share(tree["team"], password="correct horse")
    base = f"{PUBLIC}/{link['linkId']}"
    assert (await api.client.get(f"{base}/folders/root/children")).json()["error"]["code"] == "password_required"
    wrong = [await api.client.post(f"{base}/unlock", json={"password": "guess"}) for _ in range(3)]
    assert [response.status_code for response in wrong] == [403] * 3
    throttled = await api.client.post(f"{base}/unlock", json={"password": "correct horse"})
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0


async def test_a_password_link_opens_with_its_unlock_token(api, tree):
    link = await api.share(tree["team"], password="correct horse")
    base = f"{PUBLIC}/{link['linkId']}"
    token = (await api.client.post(f"{base}/unlock", json={"password": "correct horse"})).json()["unlockToken"]
    page = await api.client.get(f"{base}/folders/root/children", headers={"X-Share-Unlock": token})
    assert page.status_code == 200 and len(page.json()["items"]) == 2


async def test_the_access_log_never_stores_the_visitors_address(api, tree, store, share_settings, request):
    link = await api.share(tree["team"], password="pw")
    base = f"{PUBLIC}/{link['linkId']}"
    await api.client.get(f"{base}/folders/root/children")
    await api.client.post(f"{base}/unlock", json={"password": "nope"})
    assert {entry["network"] for entry in await api.log(link)} == {"203.0.113.0/24"}
    if store == "sqlite":
        connection = sqlite3.connect(share_settings.sqlite_path)
        try:
            rows = connection.execute("SELECT * FROM share_access_log").fetchall()
            rows += connection.execute("SELECT * FROM share_attempts").fetchall()
        finally:
            connection.close()
        stored = repr(rows)
    else:
        dynamodb = request.getfixturevalue("dynamodb")
        stored = repr(dynamodb.scan(TableName=share_settings.files_table)["Items"])
    assert "203.0.113.0/24" in stored and VISITOR_ADDRESS not in stored


async def test_listings_and_search_mark_items_with_a_live_link(api, tree):
    link = await api.share(tree["deep"])

    async def marked() -> dict[str, bool]:
        listed = await api.client.get(f"/api/folders/{tree['team']}/children", headers=api.user("alice"))
        found = await api.client.get("/api/search?q=deep", headers=api.user("alice"))
        return {item["name"]: item["shared"] for item in listed.json()["items"] + found.json()["items"]}

    assert await marked() == {"deep": True, "a.txt": False}
    await api.client.delete(f"/api/files/links/{link['id']}", headers=api.user("alice"))
    assert await marked() == {"deep": False, "a.txt": False}
