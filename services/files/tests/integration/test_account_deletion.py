"""An upload still arriving while the account is deleted leaves nothing behind."""

import threading
import time

import grpc
import httpx
import pytest

from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_files.bootstrap import object_keys

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
BOUNDARY = "scloud-race-boundary"


@pytest.fixture
def settings(settings):
    """Room for a 30 MiB upload, which the shared settings' 12 MiB limit would refuse."""
    return settings.model_copy(update={"max_upload_bytes": 40 * MIB})


def test_upload_in_flight_while_the_account_is_deleted_leaves_no_object_row_or_upload(
    running_service, make_token, s3, dynamodb, settings, internal_certificates
):
    halfway = threading.Event()
    deleted = threading.Event()

    def slow_body():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        for index in range(30):
            if index == 12:
                # Two 5 MiB parts are in S3 by now: the account is deleted mid-multipart-upload.
                halfway.set()
                assert deleted.wait(30)
            yield b"\xab" * MIB
        yield f"\r\n--{BOUNDARY}--\r\n".encode()

    responses: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(base_url=running_service.url, timeout=60) as client:
            responses.append(
                client.post(
                    "/api/files/upload",
                    headers={
                        "Authorization": f"Bearer {make_token('alice')}",
                        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
                    },
                    content=slow_body(),
                )
            )

    uploader = threading.Thread(target=send)
    uploader.start()
    try:
        assert halfway.wait(30)
        # The client has sent 12 MiB; on a busy machine the service may not have read them yet.
        deadline = time.monotonic() + 30
        while not s3.list_multipart_uploads(Bucket=settings.s3_bucket).get("Uploads"):
            assert time.monotonic() < deadline, "the upload should be in flight"
            time.sleep(0.1)
        # As the users service calls it.
        credentials = internal_certificates.material("users").channel_credentials()
        options = [("grpc.ssl_target_name_override", "files")]
        with grpc.secure_channel(running_service.grpc_address, credentials, options=options) as channel:
            files_pb2_grpc.FilesServiceStub(channel).DeleteUserFiles(
                files_pb2.DeleteUserFilesRequest(user_id="alice"), timeout=10
            )
    finally:
        # Else a failure above would leave the upload hanging, holding the server open.
        deleted.set()
        uploader.join(60)

    (response,) = responses
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "account_closed"
    assert (
        s3.list_objects_v2(Bucket=settings.s3_bucket, Prefix=object_keys(settings).user_prefix("alice")).get(
            "KeyCount", 0
        )
        == 0
    )
    assert s3.list_multipart_uploads(Bucket=settings.s3_bucket).get("Uploads", []) == []
    rows = dynamodb.query(
        TableName=settings.files_table,
        KeyConditionExpression="userId = :user AND fileId > :usage",
        ExpressionAttributeValues={":user": {"S": "alice"}, ":usage": {"S": "#usage"}},
    )["Items"]
    assert rows == []
    with httpx.Client(base_url=running_service.url) as client:
        again = client.post(
            "/api/files/upload",
            headers={"Authorization": f"Bearer {make_token('alice')}"},
            files={"file": ("late.txt", b"x", "text/plain")},
        )
    assert again.status_code == 401 and again.json()["error"]["code"] == "account_closed"
