import pytest

from cli.tests.unit.fake_files_service import FakeFilesService
from scloud_cli.client import Client
from scloud_cli.errors import EXIT_NOT_FOUND, ConflictError, NotFoundError, UsageError
from scloud_cli.paths import ensure_folder, resolve, resolve_destination


@pytest.fixture
def service() -> FakeFilesService:
    service = FakeFilesService()
    photos = service.add("folder", "Photos")
    trip = service.add("folder", "Été 2026", photos.id)
    for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"):
        service.add("file", name, trip.id, b"x")
    service.add("file", "notes.txt", data=b"hello")
    return service


@pytest.fixture
def client(service: FakeFilesService) -> Client:
    return Client("http://api", "token", transport=service.transport())


def test_a_path_is_resolved_through_every_page_of_each_listing(client):
    item = resolve(client, "/Photos/Été 2026/e.jpg")
    assert (item.name, item.kind) == ("e.jpg", "file")


def test_a_segment_matches_its_folded_name_when_no_exact_one_exists(client):
    assert resolve(client, "photos/ETE 2026").name == "Été 2026"


def test_an_id_is_accepted_for_a_file_and_for_a_folder(client, service):
    trip = next(n for n in service.nodes.values() if n.name == "Été 2026")
    assert resolve(client, trip.id).name == "Été 2026"
    notes = next(n for n in service.nodes.values() if n.name == "notes.txt")
    assert resolve(client, notes.id).name == "notes.txt"


def test_the_root_is_the_empty_path_and_root(client):
    assert resolve(client, "").id == resolve(client, "/").id == resolve(client, "root").id == "root"


def test_a_missing_segment_is_named_and_exits_as_not_found(client):
    with pytest.raises(NotFoundError) as raised:
        resolve(client, "Photos/Winter/x.jpg")
    assert "/Photos/Winter" in raised.value.message and raised.value.exit_code == EXIT_NOT_FOUND


def test_a_file_in_the_middle_of_a_path_is_not_a_folder(client):
    with pytest.raises(NotFoundError, match="not a folder"):
        resolve(client, "notes.txt/more")


def test_a_destination_is_an_existing_folder_or_a_new_name_in_one(client):
    into = resolve_destination(client, "Photos")
    assert (into.folder.name, into.name) == ("Photos", None)
    renamed = resolve_destination(client, "Photos/new name")
    assert (renamed.folder.name, renamed.name) == ("Photos", "new name")
    with pytest.raises(ConflictError):
        resolve_destination(client, "notes.txt")
    with pytest.raises(NotFoundError):
        resolve_destination(client, "Nowhere/new name")


def test_ensure_folder_refuses_to_pass_through_a_file(client):
    with pytest.raises(UsageError):
        ensure_folder(client, "notes.txt/sub")


def test_ensure_folder_takes_an_existing_folders_id_and_creates_nothing(client, service):
    photos = next(n for n in service.nodes.values() if n.name == "Photos")
    before = dict(service.nodes)
    assert ensure_folder(client, photos.id).id == photos.id
    assert service.nodes == before
