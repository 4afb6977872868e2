from fastapi import APIRouter, Response, status

from scloud_common.auth_deps import AccountLevel, require_scope
from scloud_common.scopes import Scope
from scloud_common.web import error_responses
from scloud_users.http.deps import CurrentUser, UserServiceDep
from scloud_users.http.schemas import AccountDeletion, ProfileRead, ProfileUpdate, RegistrationRead

profile = APIRouter(
    prefix="/users", tags=["users"], dependencies=[require_scope(Scope.PROFILE_READ, Scope.PROFILE_WRITE)]
)
# Read before anyone signs in: the registration page says up front who may register.
registration = APIRouter(prefix="/users", tags=["users"])


@registration.get("/registration", responses=error_responses(503))
async def read_registration(service: UserServiceDep) -> RegistrationRead:
    """Who may register here (the USERS_REGISTRATION setting), for the registration page. Public."""
    return RegistrationRead.from_policy(service.door.policy)


@profile.get("/me", responses=error_responses(401, 404, 503))
async def read_profile(user: CurrentUser, service: UserServiceDep) -> ProfileRead:
    """The signed-in user's profile, with the storage their files use."""
    return ProfileRead.from_domain(*await service.get_profile(user.user_id))


@profile.patch("/me", responses=error_responses(400, 401, 404, 422, 503))
async def update_profile(body: ProfileUpdate, user: CurrentUser, service: UserServiceDep) -> ProfileRead:
    """Changes username, gender or date of birth. Email and password change elsewhere."""
    return ProfileRead.from_domain(*await service.update_profile(user.user_id, body.changes()))


@profile.delete(
    "/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 403, 404, 422, 429, 503),
    dependencies=[AccountLevel],
)
async def delete_account(body: AccountDeletion, user: CurrentUser, service: UserServiceDep) -> Response:
    """Deletes the account, every file it stored and every session, once the password confirms it
    (401 `invalid_credentials` if wrong; 429 `too_many_attempts` with Retry-After after repeated
    failures). Every session ends first, so access stops at once. Safe to retry: sign in again."""
    await service.delete_account(user.user_id, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter()
router.include_router(registration)
router.include_router(profile)
