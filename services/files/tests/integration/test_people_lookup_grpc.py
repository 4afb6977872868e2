"""Files' client of the users lookups over a real channel to the users servicer (port 0, mutual
TLS): a verified account is found by email with its id and name only, an unknown or unverified
one is the same None, a caller's verified email comes back, and failures map to AppErrors."""

import pytest

from scloud.users.v1 import users_pb2_grpc
from scloud_common.errors import NotFound, PermissionDenied, ServiceUnavailable
from scloud_common.grpc_client import create_channel
from scloud_common.grpc_server import start_grpc_server
from scloud_common.mail import MailLayout, MailOutbox, RecordingMailer
from scloud_files.adapters.users_grpc import IDEMPOTENT_METHODS, USERS_SERVICE, GrpcUserDirectory
from scloud_files.ports import Person
from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.grpc.servicer import CALLER_POLICY, SERVICE_NAME, UsersServicer
from scloud_users.service import UserService

pytestmark = pytest.mark.integration


@pytest.fixture
async def users(internal_certificates):
    service = UserService(
        repository=InMemoryUserRepository(),
        files=InMemoryFilesPeer(calls=[]),
        auth=InMemoryAuthPeer(calls=[]),
        outbox=MailOutbox(RecordingMailer()),
        mail_layout=MailLayout(public_url="http://app.test"),
    )
    server, port = await start_grpc_server(
        lambda s: users_pb2_grpc.add_UsersServiceServicer_to_server(UsersServicer(service), s),
        host="127.0.0.1",
        port=0,
        service_names=[SERVICE_NAME],
        tls=internal_certificates.material("users"),
        caller_policy=CALLER_POLICY,
    )
    yield service, port, server
    await server.stop(0)


def directory(port: int, certificates, caller: str = "files") -> GrpcUserDirectory:
    channel = create_channel(
        f"127.0.0.1:{port}",
        peer="users",
        service=USERS_SERVICE,
        idempotent_methods=IDEMPOTENT_METHODS,
        tls=certificates.material(caller),
    )
    return GrpcUserDirectory(channel, timeout=5)


async def add(service: UserService, email: str, *, verified: bool) -> str:
    user = await service.create_user(
        email=email, username=email.split("@")[0].title(), password_hash="h", gender=None, date_of_birth=None
    )
    if verified:
        await service.mark_email_verified(user.user_id)
    return user.user_id


async def test_a_verified_account_is_found_by_email_and_others_are_the_same_none(users, internal_certificates):
    service, port, _ = users
    ada = await add(service, "ada@example.com", verified=True)
    await add(service, "bob@example.com", verified=False)
    people = directory(port, internal_certificates)
    assert await people.find_verified("ada@example.com") == Person(user_id=ada, display_name="Ada")
    assert await people.find_verified("bob@example.com") is None
    assert await people.find_verified("nobody@example.com") is None


async def test_the_verified_email_of_an_account(users, internal_certificates):
    service, port, _ = users
    ada = await add(service, "ada@example.com", verified=True)
    bob = await add(service, "bob@example.com", verified=False)
    people = directory(port, internal_certificates)
    assert await people.verified_email(ada) == "ada@example.com"
    assert await people.verified_email(bob) is None
    with pytest.raises(NotFound):
        await people.verified_email("missing")


async def test_only_files_may_look_people_up_and_a_dead_peer_is_503(users, internal_certificates):
    service, port, server = users
    await add(service, "ada@example.com", verified=True)
    with pytest.raises(PermissionDenied):
        await directory(port, internal_certificates, caller="auth").find_verified("ada@example.com")
    await server.stop(0)
    people = GrpcUserDirectory(
        create_channel(
            f"127.0.0.1:{port}",
            peer="users",
            service=USERS_SERVICE,
            idempotent_methods=(),
            tls=internal_certificates.material("files"),
        ),
        timeout=2,
    )
    with pytest.raises(ServiceUnavailable):
        await people.find_verified("ada@example.com")
