"""The `scloud` commands against the real services: what a user runs and sees."""

import base64
import hashlib
import json
import os
from pathlib import Path

import httpx
import pytest

from scloud_cli.checksum import candidate_part_sizes
from scloud_cli.client import ROOT_ID, Client
from scloud_cli.transfer import ResumeStore, Uploader

pytestmark = pytest.mark.integration

MIB = 1024 * 1024


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def composite_of(data: bytes, part_size: int) -> str:
    digests = b"".join(hashlib.sha256(data[i : i + part_size]).digest() for i in range(0, len(data), part_size))
    parts = -(-len(data) // part_size)
    return f"{base64.b64encode(hashlib.sha256(digests).digest()).decode()}-{parts}"


def test_an_interrupted_upload_resumes_without_sending_the_stored_parts_again(scloud, tmp_path, monkeypatch):
    source = tmp_path / "big.bin"
    data = os.urandom(11 * MIB + 123)  # three parts of 5 MiB, the last one short
    source.write_bytes(data)
    real_put = Client.put_part
    sent: list[int] = []

    def dropping_after_two(self, part, body):
        if len(sent) == 2:
            raise httpx.ConnectError("the network went away")
        sent.append(part.number)
        return real_put(self, part, body)

    monkeypatch.setattr(Client, "put_part", dropping_after_two)
    interrupted = scloud("upload", str(source), "--to", "inbox", "--part-size-mib", "5", "--parallel", "1")
    assert interrupted.exit_code == 1, interrupted.output
    assert interrupted.json()["error"]["code"] == "network_error"
    (state_file,) = (tmp_path / "state").glob("*.json")
    assert sorted(json.loads(state_file.read_text())["parts"]) == ["1", "2"]
    assert scloud("ls", "inbox").json()["items"] == []

    def counting(self, part, body):
        sent.append(part.number)
        return real_put(self, part, body)

    monkeypatch.setattr(Client, "put_part", counting)
    resumed = scloud("upload", str(source), "--to", "inbox", "--part-size-mib", "5")
    assert resumed.exit_code == 0, resumed.output
    assert sent == [1, 2, 3], "only the part S3 did not hold was sent again"
    (item,) = resumed.json()["uploaded"]
    assert item["size"] == len(data)
    assert item["sha256"] == composite_of(data, 5 * MIB)
    assert list((tmp_path / "state").glob("*.json")) == []
    (listed,) = scloud("ls", "inbox").json()["items"]
    assert (listed["name"], listed["sha256"], listed["checksumPartSize"]) == ("big.bin", item["sha256"], 5 * MIB)

    by_path = scloud("download", "inbox/big.bin", "--to", str(tmp_path / "by-path.bin"))
    assert by_path.exit_code == 0, by_path.output
    assert by_path.json()["verified"] is True
    assert (tmp_path / "by-path.bin").read_bytes() == data
    by_id = scloud("download", item["id"], "--to", str(tmp_path))
    assert by_id.exit_code == 0 and Path(by_id.json()["path"]) == tmp_path / "big.bin"


def test_mkdir_mv_and_rm_change_what_ls_shows(scloud, tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("remember the milk\n")
    assert scloud("mkdir", "-p", "docs/old").exit_code == 0
    assert scloud("mkdir", "docs").exit_code == 5  # the name is taken
    assert scloud("upload", str(note), "--to", "docs").exit_code == 0
    assert scloud("upload", str(note), "--to", "docs").exit_code == 5

    moved = scloud("mv", "docs/note.txt", "docs/old/renamed.txt")
    assert moved.exit_code == 0, moved.output
    assert [i["name"] for i in scloud("ls", "docs/old").json()["items"]] == ["renamed.txt"]
    assert [i["name"] for i in scloud("ls", "docs").json()["items"]] == ["old"]
    assert scloud("mv", "docs/old/renamed.txt", "docs").exit_code == 0
    assert [i["name"] for i in scloud("ls", "docs").json()["items"]] == ["old", "renamed.txt"]

    assert scloud("rm", "docs/old").exit_code == 0
    assert [i["name"] for i in scloud("ls", "docs").json()["items"]] == ["renamed.txt"]
    missing = scloud("ls", "docs/old")
    assert missing.exit_code == 4 and missing.json()["error"]["code"] == "path_not_found"
    assert scloud("rm", "docs/nothing").exit_code == 4


def test_login_stores_the_token_the_other_commands_then_use(scloud_on_system, tmp_path):
    scloud, token = scloud_on_system
    assert scloud("ls").exit_code == 3
    assert scloud("login", "--token", "not-a-token").exit_code == 3
    logged_in = scloud("login", "--token", token)
    assert logged_in.exit_code == 0, logged_in.output
    stored = Path(logged_in.json()["storedIn"])
    assert stored.stat().st_mode & 0o777 == 0o600 and token in stored.read_text()
    assert scloud("mkdir", "shared").exit_code == 0
    assert [i["name"] for i in scloud("ls").json()["items"]] == ["shared"]
    # Sharing asks for a verified email: a refusal the CLI reports as an auth problem.
    refused = scloud("share", "shared")
    assert refused.exit_code == 3 and refused.json()["error"]["code"] == "email_not_verified"
    assert scloud("logout").exit_code == 0
    assert scloud("ls").exit_code == 3


def personal_access_token(browser, *scopes: str) -> str:
    created = browser.request(
        "POST", "/api/auth/tokens", json={"name": "cli", "scopes": list(scopes), "expiresInDays": 1}
    )
    assert created.status_code == 201, created.text
    secret: str = created.json()["secret"]
    return secret


def test_share_prints_a_working_link_for_a_verified_account_and_exit_3_without_the_scope(verified_account):
    browser = verified_account.browser
    sharer = personal_access_token(browser, "files:read", "files:write", "shares:write")
    reader = personal_access_token(browser, "files:read", "files:write")

    def scloud(token: str, *args: str, as_json: bool = True):
        return verified_account.scloud("--token", token, *args, as_json=as_json)

    assert scloud(sharer, "mkdir", "docs").exit_code == 0
    # Through the web app's upload: moto, under this stack, does not report the composite
    # checksum the CLI's direct upload checks.
    assert browser.upload("note.txt", b"shared notes\n").status_code == 201

    shared = scloud(sharer, "share", "docs", "--download-limit", "3")
    assert shared.exit_code == 0, shared.output
    link = shared.json()
    folder = next(item for item in scloud(sharer, "ls").json()["items"] if item["name"] == "docs")
    assert link["itemId"] == folder["id"]
    assert link["url"].startswith(f"{browser.system.files_url}/s/") and link["id"] and link["expiresAt"]
    # A visitor opens it by the public id in its URL.
    public_id = link["url"].rsplit("/", 1)[1]
    visited = httpx.get(browser.system.url(f"/api/v1/files/public/links/{public_id}"), timeout=30)
    assert visited.status_code == 200, visited.text
    assert (visited.json()["name"], visited.json()["downloadsLeft"]) == ("docs", 3)

    human = scloud(sharer, "share", "note.txt", as_json=False)
    assert human.exit_code == 0, human.output
    url, expiry = human.output.strip().split("  ")
    assert "/s/" in url and expiry.startswith("(expires ")

    refused = scloud(reader, "share", "docs")
    assert refused.exit_code == 3, refused.output
    assert refused.json()["error"]["code"] == "insufficient_scope"


def write_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_text("alpha\n")
    (root / "empty").write_bytes(b"")
    (root / "sub" / "b.bin").write_bytes(os.urandom(300_000))
    (root / "sub" / "deeper" / "c.txt").write_text("gamma\n")


def tree_digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): sha256_of(p) for p in sorted(root.rglob("*")) if p.is_file()}


def test_sync_up_then_down_reproduces_the_tree_and_skips_what_is_equal(scloud, tmp_path):
    local = tmp_path / "local"
    write_tree(local)
    first = scloud("sync", "up", str(local), "backup/tree")
    assert first.exit_code == 0, first.output
    assert sorted(first.json()["transferred"]) == ["a.txt", "empty", "sub/b.bin", "sub/deeper/c.txt"]

    again = scloud("sync", "up", str(local), "backup/tree")
    assert again.json()["transferred"] == [] and len(again.json()["unchanged"]) == 4

    copy = tmp_path / "copy"
    down = scloud("sync", "down", "backup/tree", str(copy))
    assert down.exit_code == 0, down.output
    assert tree_digests(copy) == tree_digests(local)

    (local / "a.txt").write_text("alpha, changed\n")
    (local / "sub" / "deeper" / "c.txt").unlink()
    kept = scloud("sync", "up", str(local), "backup/tree")
    assert kept.json()["transferred"] == ["a.txt"] and kept.json()["deleted"] == []
    assert [i["name"] for i in scloud("ls", "backup/tree/sub/deeper").json()["items"]] == ["c.txt"]

    pruned = scloud("sync", "up", str(local), "backup/tree", "--delete")
    assert pruned.json()["deleted"] == ["sub/deeper/c.txt"]
    down_again = scloud("sync", "down", "backup/tree", str(copy), "--delete")
    assert sorted(down_again.json()["transferred"]) == ["a.txt"]
    assert down_again.json()["deleted"] == ["sub/deeper/c.txt"]
    assert tree_digests(copy) == tree_digests(local)


def test_download_verifies_a_composite_by_its_recorded_part_size_where_no_guess_fits(
    scloud, files_url, user_token, tmp_path
):
    # Another client (the Python client here, a third-party tool elsewhere) may choose any part
    # size; the CLI's fallback guesses would not find this one.
    part = 5 * MIB + 4096
    data = os.urandom(2 * part + 10)
    source = tmp_path / "odd.bin"
    source.write_bytes(data)
    with Client(files_url[0], user_token) as client:
        stored = Uploader(client, ResumeStore(tmp_path / "client-state"), part_size=part).upload(source, ROOT_ID)
    assert stored.sha256 == composite_of(data, part)
    assert part not in candidate_part_sizes(len(data), 3)

    (listed,) = scloud("ls").json()["items"]
    assert (listed["sha256"], listed["checksumPartSize"]) == (stored.sha256, part)
    downloaded = scloud("download", "odd.bin", "--to", str(tmp_path / "copy.bin"))
    assert downloaded.exit_code == 0, downloaded.output
    assert downloaded.json()["verified"] is True and (tmp_path / "copy.bin").read_bytes() == data
