"""Every internal gRPC method of the running services, called as an outsider, as each service
that is not on its allow list, and as the ones that are."""

import grpc
import pytest
from google.protobuf import message_factory

from scloud.auth.v1 import auth_pb2
from scloud.files.v1 import files_pb2
from scloud.users.v1 import users_pb2
from scloud_auth.grpc.servicer import CALLER_POLICY as AUTH_POLICY
from scloud_common.internal_tls import SERVICE_NAMES, TlsMaterial, issue_certificates
from scloud_files.grpc.servicer import CALLER_POLICY as FILES_POLICY
from scloud_users.grpc.servicer import CALLER_POLICY as USERS_POLICY

pytestmark = pytest.mark.integration

SERVICES = {
    "auth": (auth_pb2.DESCRIPTOR.services_by_name["AuthService"], AUTH_POLICY),
    "users": (users_pb2.DESCRIPTOR.services_by_name["UsersService"], USERS_POLICY),
    "files": (files_pb2.DESCRIPTOR.services_by_name["FilesService"], FILES_POLICY),
}
DENIED = (grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.UNAVAILABLE)


def every_method() -> list:
    return [
        pytest.param(owner, method, id=f"{owner}.{method.name}")
        for owner, (descriptor, _) in SERVICES.items()
        for method in descriptor.methods
    ]


async def call(system, owner: str, method, tls: TlsMaterial | None) -> grpc.StatusCode:
    """Calls `method` of `owner` with an empty request; returns the status code it ends with."""
    target = f"127.0.0.1:{system.grpc_ports[owner]}"
    if tls is None:
        channel = grpc.aio.insecure_channel(target)
    else:
        options = [("grpc.ssl_target_name_override", owner)]
        channel = grpc.aio.secure_channel(target, tls.channel_credentials(), options=options)
    request_class = message_factory.GetMessageClass(method.input_type)
    response_class = message_factory.GetMessageClass(method.output_type)
    rpc = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=request_class.SerializeToString,
        response_deserializer=response_class.FromString,
    )
    async with channel:
        try:
            await rpc(request_class(), timeout=3)
        except grpc.aio.AioRpcError as error:
            return error.code()
    return grpc.StatusCode.OK


@pytest.mark.parametrize(("owner", "method"), every_method())
async def test_outsiders_get_nothing(system, owner, method):
    assert await call(system, owner, method, None) in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNAUTHENTICATED)
    foreign_ca = issue_certificates()
    assert await call(system, owner, method, foreign_ca.material("auth")) == grpc.StatusCode.UNAVAILABLE
    stranger = system.certificates.issue("gateway")
    assert await call(system, owner, method, stranger) == grpc.StatusCode.UNAUTHENTICATED


@pytest.mark.parametrize(("owner", "method"), every_method())
async def test_only_the_listed_services_may_call(system, owner, method):
    _, policy = SERVICES[owner]
    allowed = policy.allowed.get(f"/{method.containing_service.full_name}/{method.name}", frozenset())
    assert allowed, "every method names its callers"
    for caller in SERVICE_NAMES:
        code = await call(system, owner, method, system.certificates.material(caller))
        if caller in allowed:
            # An empty request is refused on its merits (or answered), never for who asks.
            assert code not in DENIED, caller
        else:
            assert code == grpc.StatusCode.PERMISSION_DENIED, caller


def test_credentials_are_for_auth_and_file_wiping_for_users_only():
    assert USERS_POLICY.allowed["/scloud.users.v1.UsersService/GetCredentials"] == {"auth"}
    assert USERS_POLICY.allowed["/scloud.users.v1.UsersService/UpdatePasswordHash"] == {"auth"}
    assert FILES_POLICY.allowed["/scloud.files.v1.FilesService/DeleteUserFiles"] == {"users"}
