"""Files routes through the real services, with tokens issued by the real auth service."""

import os

import httpx
import pytest

pytestmark = pytest.mark.integration


@pytest.fixture
def alice(new_browser, email):
    browser = new_browser()
    assert browser.register(email).status_code == 201
    return browser


@pytest.fixture
def bob(new_browser, email):
    browser = new_browser()
    assert browser.register("bob-" + email).status_code == 201
    return browser


def test_upload_list_get_download_delete(alice):
    content = os.urandom(300_000)
    uploaded = alice.upload("holiday photo.jpg", content, "image/jpeg")
    assert uploaded.status_code == 201, uploaded.text
    file = uploaded.json()
    assert (file["fileName"], file["fileSize"], file["fileType"]) == ("holiday photo.jpg", len(content), "image/jpeg")
    assert file["uploadDate"]
    assert alice.request("GET", f"/api/files/{file['fileId']}").json() == file
    assert alice.request("GET", "/api/files").json() == {"files": [file], "nextCursor": None}
    link = alice.request("GET", f"/api/files/{file['fileId']}/download").json()
    assert set(link) == {"url", "expiresAt"}
    downloaded = httpx.get(link["url"])
    assert downloaded.status_code == 200 and downloaded.content == content
    assert downloaded.headers["content-disposition"].startswith("attachment")
    assert alice.request("DELETE", f"/api/files/{file['fileId']}").status_code == 204
    assert alice.request("GET", f"/api/files/{file['fileId']}").status_code == 404
    assert alice.request("GET", "/api/files").json()["files"] == []


def test_download_keeps_a_utf8_file_name(alice):
    file = alice.upload("résumé 日本.txt", b"bonjour").json()
    assert file["fileName"] == "résumé 日本.txt"
    link = alice.request("GET", f"/api/files/{file['fileId']}/download").json()
    disposition = httpx.get(link["url"]).headers["content-disposition"]
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC.txt" in disposition


def test_file_names_never_become_paths(alice, system):
    file = alice.upload("../../etc/passwd", b"x").json()
    assert "/" not in file["fileName"] and ".." not in file["fileName"].split("/")
    keys = [
        obj["Key"] for obj in system.s3_client.list_objects_v2(Bucket=system.settings["bucket"]).get("Contents", [])
    ]
    assert all(key.startswith("users/") and "passwd" not in key for key in keys)


def test_list_pages_newest_first(alice):
    ids = [alice.upload(f"{index}.txt", b"x").json()["fileId"] for index in range(5)]
    first = alice.request("GET", "/api/files", params={"limit": 2}).json()
    second = alice.request("GET", "/api/files", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    third = alice.request("GET", "/api/files", params={"limit": 2, "cursor": second["nextCursor"]}).json()
    listed = [file["fileId"] for page in (first, second, third) for file in page["files"]]
    assert listed == ids[::-1]
    assert third["nextCursor"] is None


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 1000}, {"cursor": "garbage!"}])
def test_list_refuses_bad_paging(alice, params):
    response = alice.request("GET", "/api/files", params=params)
    assert response.status_code == 422


def test_another_users_file_answers_404_like_a_missing_one(alice, bob):
    file_id = alice.upload("secret.txt", b"alice only").json()["fileId"]
    missing = "01JAAAAAAAAAAAAAAAAAAAAAAA"
    for path in (f"/api/files/{file_id}", f"/api/files/{file_id}/download"):
        theirs, absent = bob.request("GET", path), bob.request("GET", path.replace(file_id, missing))
        assert theirs.status_code == absent.status_code == 404
        assert theirs.json() == absent.json()
    assert bob.request("DELETE", f"/api/files/{file_id}").status_code == 404
    assert bob.request("GET", "/api/files").json()["files"] == []
    assert alice.request("GET", f"/api/files/{file_id}").status_code == 200


def test_upload_over_the_limit_is_413_and_stores_nothing(alice, system, upload_limit):
    response = alice.upload("big.bin", b"\0" * (upload_limit + 1), "application/octet-stream")
    assert response.status_code == 413 and response.json()["error"]["code"] == "file_too_large"
    assert alice.request("GET", "/api/files").json()["files"] == []
    uploads = system.s3_client.list_multipart_uploads(Bucket=system.settings["bucket"]).get("Uploads", [])
    assert uploads == []


def test_upload_without_a_file_field_is_422(alice):
    response = alice.request("POST", "/api/files/upload", files={"other": ("a.txt", b"x")})
    assert response.status_code == 422


@pytest.mark.parametrize(
    "method, path", [("GET", "/api/files"), ("POST", "/api/files/upload"), ("GET", "/api/files/x")]
)
def test_files_routes_need_a_token(new_browser, method, path):
    assert new_browser().request(method, path).status_code == 401
