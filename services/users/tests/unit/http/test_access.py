"""The users HTTP API built by `bootstrap` from fakes: a valid signature is not enough, the
session behind the token must still be active, and an unanswered check is never a yes."""

import uuid

import httpx
import pytest

from scloud_users.adapters.in_memory import InMemoryAuthPeer, InMemoryFilesPeer, InMemoryUserRepository
from scloud_users.bootstrap import bootstrap
from scloud_users.http.app import create_app
from scloud_users.service import UserService
from tests.fake_auth import FakeAuth


@pytest.fixture
def auth() -> FakeAuth:
    return FakeAuth()


@pytest.fixture
async def client_and_service(auth, users_settings):
    settings = users_settings()
    repository = InMemoryUserRepository()

    async def build(settings):
        return await bootstrap(
            settings,
            repository=repository,
            files=InMemoryFilesPeer(),
            auth=InMemoryAuthPeer(),
            key_source=auth,
            session_source=auth,
        )

    app = create_app(settings, build_container=build)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://users") as client:
            yield client, app.state.container.service


async def signed_in(service: UserService, auth: FakeAuth) -> dict[str, str]:
    user = await service.create_user(
        email=f"{uuid.uuid4().hex[:8]}@example.com",
        username="Ada",
        password_hash="h",
        gender=None,
        date_of_birth=None,
    )
    session_id = uuid.uuid4().hex
    auth.active_sessions.add((session_id, user.user_id))
    return {"Authorization": f"Bearer {auth.token(user.user_id, session_id)}"}


async def test_a_token_of_an_active_session_is_served(client_and_service, auth):
    client, service = client_and_service
    response = await client.get("/api/users/me", headers=await signed_in(service, auth))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"


async def test_a_token_of_a_revoked_session_is_refused(client_and_service, auth):
    client, service = client_and_service
    headers = await signed_in(service, auth)
    auth.active_sessions.clear()
    response = await client.get("/api/users/me", headers=headers)
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_token"


async def test_auth_unreachable_fails_closed_with_503(client_and_service, auth):
    client, service = client_and_service
    headers = await signed_in(service, auth)
    auth.reachable = False
    response = await client.get("/api/users/me", headers=headers)
    assert response.status_code == 503 and response.json()["error"]["code"] == "service_unavailable"


@pytest.mark.parametrize("date_of_birth", [19900501, 0, "1990/05/01"])
async def test_dates_of_birth_must_be_iso_strings(client_and_service, auth, date_of_birth):
    client, service = client_and_service
    response = await client.patch(
        "/api/users/me", json={"dateOfBirth": date_of_birth}, headers=await signed_in(service, auth)
    )
    assert response.status_code == 422


async def test_a_gender_outside_the_domain_list_is_refused(client_and_service, auth):
    client, service = client_and_service
    headers = await signed_in(service, auth)
    assert (await client.patch("/api/users/me", json={"gender": "robot"}, headers=headers)).status_code == 422
    accepted = await client.patch(
        "/api/users/me", json={"gender": "other", "dateOfBirth": "1990-05-01"}, headers=headers
    )
    assert accepted.status_code == 200
    assert (accepted.json()["gender"], accepted.json()["dateOfBirth"]) == ("other", "1990-05-01")


async def test_who_may_register_is_public(client_and_service):
    client, _ = client_and_service
    response = await client.get("/api/v1/users/registration")
    assert response.status_code == 200
    assert response.json() == {"mode": "open", "domains": []}
