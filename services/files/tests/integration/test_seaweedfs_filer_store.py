"""The filer store a SeaweedFS data folder is made with is recorded in it and kept: new folders get
the single-database store (and a Go memory limit), folders made before the choice keep SeaweedFS's
old default, so their objects stay listed."""

from pathlib import Path

import pytest

from scripts import seaweed
from scripts.seaweed import (
    FILER_CONFIG_FILE,
    FILER_STORE,
    GO_MEMORY_LIMITS,
    LEGACY_FILER_STORE,
    SeaweedS3,
    recorded_filer_store,
)

pytestmark = pytest.mark.integration


def weed_environment(server: SeaweedS3) -> dict[str, str]:
    raw = Path(f"/proc/{server.pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode().split("\0") if entry)


def listed_keys(server: SeaweedS3) -> list[str]:
    endpoint = server.endpoint
    return [entry["Key"] for entry in endpoint.client().list_objects_v2(Bucket=endpoint.bucket).get("Contents", [])]


def test_a_new_data_folder_gets_the_single_database_store_and_keeps_it(tmp_path):
    server = SeaweedS3(tmp_path / "data", bucket="scloud-new-store")
    weed_dir = tmp_path / "data" / "weed"
    with server as endpoint:
        assert server.filer_store == FILER_STORE == "leveldb"
        assert weed_environment(server)["GOMEMLIMIT"] == GO_MEMORY_LIMITS[FILER_STORE]
        endpoint.client().put_object(Bucket=endpoint.bucket, Key="users/u/f", Body=b"kept")
    assert recorded_filer_store(weed_dir) == FILER_STORE
    assert (weed_dir / "filerldb").is_dir() and not (weed_dir / "filerldb2").exists()
    with server:
        assert server.filer_store == FILER_STORE
        assert listed_keys(server) == ["users/u/f"]


def test_a_folder_made_with_the_old_default_store_keeps_it_and_its_objects(tmp_path, monkeypatch):
    server = SeaweedS3(tmp_path / "data", bucket="scloud-old-store")
    weed_dir = tmp_path / "data" / "weed"
    # As before the store was chosen: no filer.toml, so weed makes its default store, no memory limit.
    with monkeypatch.context() as before:
        before.setattr(seaweed, "ensure_filer_store", lambda weed_dir: LEGACY_FILER_STORE)
        with server as endpoint:
            endpoint.client().put_object(Bucket=endpoint.bucket, Key="users/u/old", Body=b"old")
    assert not (weed_dir / FILER_CONFIG_FILE).exists()
    assert (weed_dir / "filerldb2").is_dir()
    with server:
        assert server.filer_store == LEGACY_FILER_STORE
        assert "GOMEMLIMIT" not in weed_environment(server)
        # Listed: another store would start empty and hide the folder's objects.
        assert listed_keys(server) == ["users/u/old"]
    assert recorded_filer_store(weed_dir) == LEGACY_FILER_STORE


def test_a_filer_config_that_enables_two_stores_is_refused(tmp_path):
    server = SeaweedS3(tmp_path / "data", bucket="scloud-two-stores")
    (tmp_path / "data" / "weed").mkdir(parents=True)
    (tmp_path / "data" / "weed" / FILER_CONFIG_FILE).write_text(
        "[leveldb]\nenabled = true\n[leveldb2]\nenabled = true\n"
    )
    with pytest.raises(RuntimeError, match="exactly one filer store"):
        server.start()
    assert server.pid is None
