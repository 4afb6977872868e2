import base64
import hashlib
import json

import httpx
import pytest

from cli.tests.unit.fake_files_service import FakeFilesService
from scloud_cli.checksum import composite
from scloud_cli.client import Client
from scloud_cli.errors import ChecksumMismatch
from scloud_cli.transfer import ResumeStore, Uploader, download

DATA = b"0123456789abcdefghij!"  # six parts of 4 bytes, the last one 1 byte


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture
def service() -> FakeFilesService:
    return FakeFilesService(part_size=4)


@pytest.fixture
def client(service):
    return Client("http://api", "token", transport=service.transport())


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return path


def interrupt_after(parts: int, client, service, source, store) -> None:
    """Runs an upload that loses the network after `parts` parts, then gives the network back."""
    service.fail_put_after = parts
    with pytest.raises(httpx.ConnectError):
        Uploader(client, store, parallel=1).upload(source, "root")
    service.fail_put_after = None


def test_an_upload_sends_every_part_and_checks_the_recorded_checksum(client, service, source, tmp_path):
    sent: list[int] = []
    item = Uploader(client, ResumeStore(tmp_path / "state"), parallel=3).upload(source, "root", on_bytes=sent.append)
    assert sorted(service.puts) == [1, 2, 3, 4, 5, 6]
    assert sum(sent) == len(DATA)
    assert item.sha256 == composite(sha256_b64(DATA[i : i + 4]) for i in range(0, len(DATA), 4))
    assert service.nodes[item.id].data == DATA
    assert list((tmp_path / "state").iterdir()) == []


def test_a_rerun_after_an_interruption_sends_only_the_parts_storage_lacks(client, service, source, tmp_path):
    store = ResumeStore(tmp_path / "state")
    interrupt_after(2, client, service, source, store)
    (state_file,) = (tmp_path / "state").iterdir()
    assert sorted(json.loads(state_file.read_text())["parts"]) == ["1", "2"]

    item = Uploader(client, store, parallel=2).upload(source, "root")
    assert sorted(service.puts) == [1, 2, 3, 4, 5, 6]  # parts 1 and 2 once each
    assert service.nodes[item.id].data == DATA
    assert not state_file.exists()


def test_a_part_storage_holds_but_the_state_missed_is_not_sent_again(client, service, source, tmp_path):
    store = ResumeStore(tmp_path / "state")
    interrupt_after(3, client, service, source, store)
    (state_file,) = (tmp_path / "state").iterdir()
    state = json.loads(state_file.read_text())
    del state["parts"]["3"]  # stopped between the PUT and the state's write
    state_file.write_text(json.dumps(state))

    item = Uploader(client, store).upload(source, "root")
    assert sorted(service.puts) == [1, 2, 3, 4, 5, 6]
    assert service.nodes[item.id].data == DATA


def test_an_upload_the_service_forgot_starts_over(client, service, source, tmp_path):
    store = ResumeStore(tmp_path / "state")
    interrupt_after(2, client, service, source, store)
    service.uploads.clear()  # expired and swept
    service.puts.clear()
    item = Uploader(client, store).upload(source, "root")
    assert sorted(service.puts) == [1, 2, 3, 4, 5, 6]
    assert service.nodes[item.id].data == DATA


def test_a_changed_file_does_not_resume_the_upload_of_its_old_content(client, service, source, tmp_path):
    store = ResumeStore(tmp_path / "state")
    interrupt_after(2, client, service, source, store)
    source.write_bytes(DATA.upper())
    item = Uploader(client, store).upload(source, "root")
    assert service.nodes[item.id].data == DATA.upper()


def test_a_download_matching_the_stored_checksum_is_put_in_place(client, service, tmp_path):
    node = service.add("file", "a.txt", data=b"hello", sha256=sha256_b64(b"hello"))
    done = download(client, client.get_file(node.id), tmp_path / "a.txt")
    assert done.verified and (tmp_path / "a.txt").read_bytes() == b"hello"


def test_a_download_of_other_bytes_is_refused_and_leaves_nothing(client, service, tmp_path):
    node = service.add("file", "a.txt", data=b"hello", sha256=sha256_b64(b"hello"))
    service.served_bytes[node.id] = b"hellO"
    with pytest.raises(ChecksumMismatch):
        download(client, client.get_file(node.id), tmp_path / "a.txt")
    assert list(tmp_path.iterdir()) == []


def test_a_download_of_the_wrong_length_is_refused(client, service, tmp_path):
    node = service.add("file", "a.txt", data=b"hello", sha256=None)
    service.served_bytes[node.id] = b"hell"
    with pytest.raises(ChecksumMismatch, match="4 bytes"):
        download(client, client.get_file(node.id), tmp_path / "a.txt")


def test_a_single_part_composite_checksum_is_verified(client, service, tmp_path):
    node = service.add("file", "a.txt", data=b"hello", sha256=composite([sha256_b64(b"hello")]))
    assert download(client, client.get_file(node.id), tmp_path / "a.txt").verified
