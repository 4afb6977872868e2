from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response, status
from fastapi.responses import JSONResponse

from scloud_auth.config import AuthSettings
from scloud_auth.domain import InvalidRefreshToken, IssuedChallenge, IssuedSession
from scloud_auth.http.deps import (
    CurrentUser,
    OptionalUser,
    RecoveryDep,
    RegistrationDep,
    SameOrigin,
    SessionsDep,
    SettingsDep,
    SignInDep,
    TwoFactorDep,
)
from scloud_auth.http.schemas import (
    EmailVerification,
    LoginRequest,
    PasswordChange,
    PasswordReset,
    PasswordResetRequest,
    RecoveryCodesRead,
    RegisterRequest,
    SessionInfo,
    SessionList,
    SessionRead,
    TwoFactorChallengeRead,
    TwoFactorConfirm,
    TwoFactorDisable,
    TwoFactorSetupRead,
    TwoFactorSetupRequest,
    TwoFactorSignIn,
    TwoFactorStatusRead,
)
from scloud_auth.http.token_routes import tokens
from scloud_common.auth_deps import AccountLevel, require_scope
from scloud_common.logs import client_address_var
from scloud_common.scopes import Scope
from scloud_common.web import error_responses

router = APIRouter(prefix="/auth", tags=["auth"])

UserAgent = Annotated[str | None, Header(include_in_schema=False)]


def set_refresh_cookie(response: Response, issued: IssuedSession, settings: AuthSettings) -> None:
    cookie = settings.refresh_cookie
    response.set_cookie(
        cookie.name,
        issued.refresh_token,
        expires=datetime.fromtimestamp(issued.refresh_token_expires_at, UTC),
        path=cookie.path,
        secure=cookie.secure,
        httponly=True,
        samesite="strict",
    )


def clear_refresh_cookie(response: Response, settings: AuthSettings) -> None:
    cookie = settings.refresh_cookie
    response.delete_cookie(cookie.name, path=cookie.path, secure=cookie.secure, httponly=True, samesite="strict")


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 403, 409, 422, 429, 503),
)
async def register(
    body: RegisterRequest,
    registration: RegistrationDep,
    settings: SettingsDep,
    response: Response,
    user_agent: UserAgent = None,
) -> SessionRead:
    """Creates an account and signs it in. The refresh token comes back as an HttpOnly cookie.
    Where registration is not open (`GET /api/v1/users/registration` says how), 403
    `invitation_required` without an invitation, `invitation_invalid` for one that expired, was
    used or revoked, or is for another address, and `email_domain_not_allowed` for an address
    outside the allowed domains."""
    issued = await registration.register(
        email=body.email,
        username=body.username,
        password=body.password,
        gender=body.gender,
        date_of_birth=body.date_of_birth.isoformat() if body.date_of_birth else None,
        invitation_token=body.invitation_token,
        user_agent=user_agent,
    )
    set_refresh_cookie(response, issued, settings)
    return SessionRead.from_issued(issued)


@router.post(
    "/login",
    response_model=SessionRead,
    responses={
        **error_responses(400, 401, 403, 422, 429, 503),
        202: {
            "model": TwoFactorChallengeRead,
            "description": "The password is right and the account has two-factor sign-in: no session yet.",
        },
    },
)
async def login(
    body: LoginRequest, sign_in: SignInDep, settings: SettingsDep, response: Response, user_agent: UserAgent = None
) -> Any:
    """Signs in with email and password. Wrong password and unknown email answer the same 401.
    After 5 failures for one email within 15 minutes, 429 `too_many_attempts` with Retry-After.
    The right password for an account an operator locked is 403 `account_locked`.
    An account with two-factor sign-in gets 202 and a challenge to answer at `/login/two-factor`."""
    issued = await sign_in.login(email=body.email, password=body.password, user_agent=user_agent)
    if isinstance(issued, IssuedChallenge):
        challenge = TwoFactorChallengeRead.from_issued(issued)
        return JSONResponse(challenge.model_dump(mode="json", by_alias=True), status_code=status.HTTP_202_ACCEPTED)
    set_refresh_cookie(response, issued, settings)
    return SessionRead.from_issued(issued)


@router.post("/login/two-factor", responses=error_responses(401, 403, 422, 429, 503))
async def login_two_factor(
    body: TwoFactorSignIn, sign_in: SignInDep, settings: SettingsDep, response: Response
) -> SessionRead:
    """Finishes a two-factor sign-in with the app's 6-digit code or a recovery code (each works
    once). A wrong code is 401 `invalid_two_factor_code` and counts towards the account's lock; a
    challenge older than 5 minutes is 401 `sign_in_expired`; a locked account is 403 `account_locked`."""
    issued = await sign_in.complete_two_factor_sign_in(challenge=body.challenge, code=body.code)
    set_refresh_cookie(response, issued, settings)
    return SessionRead.from_issued(issued)


@router.get("/two-factor", responses=error_responses(401, 403, 503), dependencies=[AccountLevel])
async def read_two_factor(user: CurrentUser, two_factor: TwoFactorDep) -> TwoFactorStatusRead:
    """Whether two-factor sign-in is on, and how many recovery codes are left."""
    status_ = await two_factor.status(user.user_id)
    return TwoFactorStatusRead(enabled=status_.enabled, recovery_codes_left=status_.recovery_codes_left)


@router.post("/two-factor/setup", responses=error_responses(401, 403, 409, 422, 429, 503), dependencies=[AccountLevel])
async def begin_two_factor_setup(
    body: TwoFactorSetupRequest, user: CurrentUser, two_factor: TwoFactorDep
) -> TwoFactorSetupRead:
    """A new secret for the authenticator app, given the account's password. Nothing changes until
    a code confirms it. A wrong password is 401 `invalid_credentials` and counts towards the
    account's lock (429 `too_many_attempts` with Retry-After)."""
    setup = await two_factor.begin_setup(user.user_id, password=body.password)
    return TwoFactorSetupRead(secret=setup.secret, otpauth_uri=setup.provisioning_uri, qr_code=setup.qr_code)


@router.post("/two-factor/confirm", responses=error_responses(401, 403, 409, 422, 503), dependencies=[AccountLevel])
async def confirm_two_factor(body: TwoFactorConfirm, user: CurrentUser, two_factor: TwoFactorDep) -> RecoveryCodesRead:
    """Turns two-factor sign-in on with a code of the new secret; answers the recovery codes."""
    return RecoveryCodesRead(recovery_codes=await two_factor.confirm(user.user_id, body.code))


@router.post(
    "/two-factor/disable",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 409, 422, 429, 503),
    dependencies=[AccountLevel],
)
async def disable_two_factor(body: TwoFactorDisable, user: CurrentUser, two_factor: TwoFactorDep) -> Response:
    """Turns two-factor sign-in off; needs the password and a current or recovery code."""
    await two_factor.disable(user.user_id, password=body.password, code=body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/refresh", responses=error_responses(401, 403, 503), dependencies=[SameOrigin])
async def refresh(request: Request, sessions: SessionsDep, settings: SettingsDep, response: Response) -> SessionRead:
    """Trades the refresh cookie for a new access token and a rotated refresh cookie."""
    token = request.cookies.get(settings.refresh_cookie.name)
    if not token:
        raise InvalidRefreshToken()
    issued = await sessions.refresh(token)
    set_refresh_cookie(response, issued, settings)
    return SessionRead.from_issued(issued)


@router.post(
    "/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 503), dependencies=[SameOrigin]
)
async def logout(request: Request, sessions: SessionsDep, settings: SettingsDep, user: OptionalUser) -> Response:
    """Ends this session and clears the refresh cookie. Safe to call when already signed out."""
    await sessions.logout(
        refresh_token=request.cookies.get(settings.refresh_cookie.name),
        session_id=user.session_id if user else None,
        user_id=user.user_id if user else None,
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_refresh_cookie(response, settings)
    return response


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(400, 401, 403, 422, 429, 503),
    dependencies=[AccountLevel],
)
async def change_password(body: PasswordChange, user: CurrentUser, recovery: RecoveryDep) -> Response:
    """Changes the password and signs out every other session of the account. A wrong current
    password counts towards the account's sign-in throttle (429 `too_many_attempts`)."""
    await recovery.change_password(
        user_id=user.user_id,
        session_id=user.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/logout-all",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 503),
    dependencies=[SameOrigin, AccountLevel],
)
async def logout_all(user: CurrentUser, sessions: SessionsDep, settings: SettingsDep) -> Response:
    """Ends every session of the account, this one included, and clears the refresh cookie."""
    await sessions.revoke_user_sessions(user.user_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_refresh_cookie(response, settings)
    return response


@router.get("/sessions", responses=error_responses(401, 403, 503), dependencies=[AccountLevel])
async def list_sessions(user: CurrentUser, sessions_: SessionsDep) -> SessionList:
    """The account's active sessions (signed-in browsers), newest first."""
    sessions = await sessions_.list_sessions(user.user_id)
    return SessionList(
        sessions=[SessionInfo.from_session(session, current_session_id=user.session_id) for session in sessions]
    )


@router.delete(
    "/sessions/{id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(401, 403, 404, 422, 503),
    dependencies=[AccountLevel],
)
async def delete_session(
    session_id: Annotated[str, Path(alias="id", max_length=64)],
    user: CurrentUser,
    sessions: SessionsDep,
    settings: SettingsDep,
) -> Response:
    """Ends one of the account's sessions; its access tokens stop working within seconds.
    Another account's session, or one already ended, is 404 `session_not_found`."""
    await sessions.revoke_session(user.user_id, session_id)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if session_id == user.session_id:
        clear_refresh_cookie(response, settings)
    return response


@router.post("/verify-email", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(410, 422, 503))
async def verify_email(body: EmailVerification, recovery: RecoveryDep) -> Response:
    """Marks the account's email address verified with the token of the emailed link (valid
    24 hours, once). A forged or used token is 422 `invalid_link`, an expired one 410
    `link_expired`. Needs no session: the link may be opened in another browser."""
    await recovery.verify_email(body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify-email/resend",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses=error_responses(401, 403, 409, 429, 503),
    dependencies=[require_scope(Scope.PROFILE_WRITE)],
)
async def resend_verification(user: CurrentUser, recovery: RecoveryDep) -> Response:
    """Emails a new verification link, 3 times an hour at most (429 `too_many_emails` with
    Retry-After beyond). 409 `email_already_verified` when there is nothing to verify."""
    await recovery.resend_verification(user.user_id)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses=error_responses(422, 429, 503),
)
async def request_password_reset(body: PasswordResetRequest, recovery: RecoveryDep) -> Response:
    """Emails a link to choose a new password (valid 30 minutes, once) if an account has this
    address. Answers 202 the same way, in the same time, whether or not one has. Limited per client
    address (429 `too_many_requests`) and, without saying so, per account."""
    await recovery.request_password_reset(email=body.email, client_address=client_address_var.get())
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(410, 422, 503)
)
async def confirm_password_reset(body: PasswordReset, recovery: RecoveryDep) -> Response:
    """Sets a new password with the token of the emailed link, signs the account out everywhere
    and lifts its sign-in throttle. 422 `invalid_link` for a forged or used token, 410
    `link_expired`, 422 `weak_password` (the link stays usable then)."""
    await recovery.reset_password(token=body.token, new_password=body.new_password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router.include_router(tokens)
