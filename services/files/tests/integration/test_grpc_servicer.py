"""FilesService over a real channel to the running app's gRPC server."""

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from scloud.files.v1 import files_pb2, files_pb2_grpc
from scloud_files.bootstrap import object_keys

pytestmark = pytest.mark.integration


@pytest.fixture
async def stub(running_service, internal_certificates):
    """A channel as the users service opens it."""
    credentials = internal_certificates.material("users").channel_credentials()
    options = [("grpc.ssl_target_name_override", "files")]
    async with grpc.aio.secure_channel(running_service.grpc_address, credentials, options=options) as channel:
        yield files_pb2_grpc.FilesServiceStub(channel), health_pb2_grpc.HealthStub(channel)


async def upload(running_service, make_token, user_id: str, content: bytes, name: str = "a.txt") -> dict:
    async with httpx.AsyncClient(base_url=running_service.url) as client:
        response = await client.post(
            "/api/files/upload",
            headers={"Authorization": f"Bearer {make_token(user_id)}"},
            files={"file": (name, content, "text/plain")},
        )
        assert response.status_code == 201
        return response.json()


async def drive(running_service, make_token, user_id: str, method: str, path: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient(base_url=running_service.url) as client:
        return await client.request(method, path, headers={"Authorization": f"Bearer {make_token(user_id)}"}, **kwargs)


async def test_storage_usage_and_delete_user_files(stub, running_service, make_token, s3, dynamodb, settings):
    files, _ = stub
    for name, content in (("a.txt", b"x" * 10), ("b.txt", b"y" * 32)):
        await upload(running_service, make_token, "alice", content, name)
    folder = (
        await drive(running_service, make_token, "alice", "POST", "/api/folders", json={"name": "F", "parentId": None})
    ).json()
    trashed = await upload(running_service, make_token, "alice", b"t", "t.txt")
    await drive(running_service, make_token, "alice", "DELETE", f"/api/files/{trashed['id']}")
    await drive(running_service, make_token, "alice", "DELETE", f"/api/folders/{folder['id']}")
    await upload(running_service, make_token, "bob", b"z" * 7)
    s3.put_object(
        Bucket=settings.s3_bucket,
        Key=object_keys(settings).file("alice", "01JAAAAAAAAAAAAAAAAAAAAAAA"),
        Body=b"left over",
    )
    # Stored before owner segments were sealed: under the user id in clear.
    s3.put_object(Bucket=settings.s3_bucket, Key="users/alice/01JAAAAAAAAAAAAAAAAAAAAAAB", Body=b"older")

    usage = await files.GetStorageUsage(files_pb2.GetStorageUsageRequest(user_id="alice"), timeout=5)
    assert (usage.bytes_used, usage.file_count) == (43, 3)

    first = await files.DeleteUserFiles(files_pb2.DeleteUserFilesRequest(user_id="alice"), timeout=10)
    again = await files.DeleteUserFiles(files_pb2.DeleteUserFilesRequest(user_id="alice"), timeout=10)
    assert (first.deleted_count, again.deleted_count) == (3, 0)
    # Folders, name guards and trash records go too: only the closed account's totals remain.
    left = dynamodb.query(
        TableName=settings.files_table,
        KeyConditionExpression="userId = :alice",
        ExpressionAttributeValues={":alice": {"S": "alice"}},
    )["Items"]
    assert [item["fileId"]["S"] for item in left] == ["#usage"]

    usage = await files.GetStorageUsage(files_pb2.GetStorageUsageRequest(user_id="alice"), timeout=5)
    assert (usage.bytes_used, usage.file_count) == (0, 0)
    keys = [item["Key"] for item in s3.list_objects_v2(Bucket=settings.s3_bucket)["Contents"]]
    assert len(keys) == 1 and keys[0].startswith(object_keys(settings).user_prefix("bob"))
    bob = await files.GetStorageUsage(files_pb2.GetStorageUsageRequest(user_id="bob"), timeout=5)
    assert (bob.bytes_used, bob.file_count) == (7, 1)


async def test_missing_user_id_is_invalid_argument(stub):
    files, _ = stub
    calls = (
        files.GetStorageUsage(files_pb2.GetStorageUsageRequest(), timeout=5),
        files.DeleteUserFiles(files_pb2.DeleteUserFilesRequest(), timeout=5),
    )
    for call in calls:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_health_service_reports_serving(stub):
    _, health = stub
    response = await health.Check(health_pb2.HealthCheckRequest(service="scloud.files.v1.FilesService"), timeout=5)
    assert response.status == health_pb2.HealthCheckResponse.SERVING
