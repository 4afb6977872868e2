"""SeaweedFS as `make run` uses it keeps its data and its identity across a clean stop and a
`kill -9`, in a data folder only its owner can read."""

import json
import os
import signal
import socket
import stat

import httpx
import pytest
from botocore.exceptions import ClientError

from scripts.seaweed import IDENTITY_FILE, PORTS_FILE, UNIX_SOCKET_PATH_BYTES, VOLUME_SLOTS, SeaweedS3, WeedPorts

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("stop", ["stop", "kill"])
def test_objects_and_identity_survive_a_restart(tmp_path, stop):
    server = SeaweedS3(tmp_path / "data", bucket="scloud-restart")
    before = server.start()
    try:
        before.client().put_object(Bucket=before.bucket, Key="users/u/f", Body=b"kept", ContentType="text/plain")
        getattr(server, stop)()
        after = server.start()
        assert (after.access_key_id, after.secret_access_key) == (before.access_key_id, before.secret_access_key)
        # A link signed after the restart is served: same identity, same bytes.
        url = after.client().generate_presigned_url(
            "get_object", Params={"Bucket": after.bucket, "Key": "users/u/f"}, ExpiresIn=60
        )
        response = httpx.get(url)
        assert (response.status_code, response.content) == (200, b"kept")
    finally:
        server.stop()
    assert server.pid is None


def sockets_left(data_dir):
    ports = WeedPorts(**json.loads((data_dir / PORTS_FILE).read_text()))
    return sorted(str(path) for path in ports.sockets_in_tmp() if path.exists())


# A data folder too deep for weed's S3 and filer sockets, which then go to /tmp as well.
DEEP_FOLDER = "d" * UNIX_SOCKET_PATH_BYTES


@pytest.mark.parametrize("stop", ["stop", "kill"])
@pytest.mark.parametrize("depth", ["shallow", "deep"])
def test_no_socket_is_left_in_tmp(tmp_path, stop, depth):
    # weed leaves some of its sockets in /tmp on a clean stop and all of them when killed: one
    # set more for every run of make run, and every test's.
    data_dir = tmp_path / (DEEP_FOLDER if depth == "deep" else "") / "data"
    server = SeaweedS3(data_dir, bucket="scloud-sockets")
    server.start()
    try:
        getattr(server, stop)()
        assert sockets_left(data_dir) == []
    finally:
        server.stop()


def test_the_next_start_removes_the_sockets_of_a_weed_killed_with_its_starter(tmp_path):
    # scripts.processes.die_with kills weed when whoever started it dies, with no one left to
    # clean up after it; the next start in that folder may be on other ports.
    first = SeaweedS3(tmp_path / "data", bucket="scloud-sockets")
    first.start()
    killed_ports = WeedPorts(**json.loads((tmp_path / "data" / PORTS_FILE).read_text()))
    os.kill(first.pid, signal.SIGKILL)
    first.process.wait(timeout=30)
    assert sockets_left(tmp_path / "data") != []
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        other_s3_port = probe.getsockname()[1]
    second = SeaweedS3(tmp_path / "data", bucket="scloud-sockets", s3_port=other_s3_port)
    second.start()
    try:
        left = [str(path) for path in killed_ports.sockets_in_tmp() if path.exists()]
        assert left == []
    finally:
        second.stop()


def test_the_data_folder_and_the_identity_are_private(tmp_path):
    with SeaweedS3(tmp_path / "data", bucket="scloud-private"):
        pass
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "data" / IDENTITY_FILE).stat().st_mode) == 0o600


def test_two_instances_run_side_by_side(tmp_path):
    with (
        SeaweedS3(tmp_path / "one", bucket="scloud-one") as one,
        SeaweedS3(tmp_path / "two", bucket="scloud-two") as two,
    ):
        assert one.url != two.url and one.access_key_id != two.access_key_id
        one.client().put_object(Bucket=one.bucket, Key="k", Body=b"1")
        assert two.client().list_objects_v2(Bucket=two.bucket).get("KeyCount") == 0
        # Each identity is known only to its own server.
        with pytest.raises(ClientError, match="InvalidAccessKeyId"):
            one.client(endpoint_url=two.url).list_objects_v2(Bucket=two.bucket)


def test_a_port_taken_between_the_check_and_the_bind_means_another_start_on_other_ports(tmp_path, monkeypatch):
    # Another program takes the master's port after the free-port check said yes (on a busy
    # machine that happened during a restart): weed exits, and the next attempt chooses again.
    server = SeaweedS3(tmp_path / "data", bucket="scloud-taken")
    first = server.start()
    first.client().put_object(Bucket=first.bucket, Key="k", Body=b"kept")
    server.stop()
    taken_port = WeedPorts(**json.loads((tmp_path / "data" / PORTS_FILE).read_text())).master
    checks = iter([True])
    monkeypatch.setattr(WeedPorts, "all_free", lambda ports: next(checks, False))
    with socket.socket() as squatter:
        # The stopped weed's connections may still be in TIME_WAIT on that port.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", taken_port))
        squatter.listen()
        try:
            after = server.start()
            assert WeedPorts(**json.loads((tmp_path / "data" / PORTS_FILE).read_text())).master != taken_port
            assert after.client().get_object(Bucket=after.bucket, Key="k")["Body"].read() == b"kept"
        finally:
            server.stop()


def test_many_buckets_take_writes_whatever_the_free_disk(tmp_path):
    # Regression: with weed's automatic volume count (free disk / 1 GiB) a test run's buckets used
    # every volume and the next bucket's writes failed with InternalError. Forty buckets fail that
    # way on a machine with less than 40 GB free; the slots SeaweedFS reports cover the rest.
    server = SeaweedS3(tmp_path / "data", bucket="scloud-many")
    endpoint = server.start()
    try:
        client = endpoint.client()
        for number in range(40):
            bucket = f"scloud-many-{number}"
            client.create_bucket(Bucket=bucket)
            client.put_object(Bucket=bucket, Key="k", Body=b"x")
        assert server.volume_slots() >= VOLUME_SLOTS
    finally:
        server.stop()
