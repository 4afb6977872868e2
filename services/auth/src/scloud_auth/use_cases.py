"""Auth's use cases, each built with only the ports it uses; the routes and the gRPC servicer
call them, the composition root (bootstrap) and the unit tests build them here."""

import time
from collections.abc import Callable
from dataclasses import dataclass

from scloud_auth.domain import LinkLifetimes, SessionLifetime, ThrottlePolicy
from scloud_auth.link_tokens import LinkTokens
from scloud_auth.notices import AccountNotices
from scloud_auth.password_policy import PasswordPolicy
from scloud_auth.personal_tokens import PersonalAccessTokens
from scloud_auth.ports import (
    AttemptStore,
    OneTimeTokenStore,
    Outbox,
    PasswordHasher,
    PersonalAccessTokenRepository,
    SendLimitStore,
    SessionRepository,
    SignInChallengeStore,
    TwoFactorRepository,
    UserDirectory,
)
from scloud_auth.recovery import Recovery
from scloud_auth.registration import Registration
from scloud_auth.sessions import SessionIssuer, Sessions
from scloud_auth.sign_in import SignIn
from scloud_auth.signing import AccessTokenSigner
from scloud_auth.throttle import AccountThrottle, PasswordCheck
from scloud_auth.two_factor import SecondFactor, TwoFactorSettings
from scloud_common.mail import MailLayout

Clock = Callable[[], float]


@dataclass(frozen=True)
class AuthPorts:
    users: UserDirectory
    sessions: SessionRepository
    attempts: AttemptStore
    send_limits: SendLimitStore
    hasher: PasswordHasher
    two_factor: TwoFactorRepository
    challenges: SignInChallengeStore
    tokens: OneTimeTokenStore
    personal_access_tokens: PersonalAccessTokenRepository
    outbox: Outbox


@dataclass(frozen=True)
class AuthRules:
    """The settings the use cases follow."""

    password_policy: PasswordPolicy
    session_lifetime: SessionLifetime
    reuse_grace_seconds: int
    link_lifetimes: LinkLifetimes = LinkLifetimes()
    throttle: ThrottlePolicy = ThrottlePolicy()
    personal_access_token_max_lifetime_days: int = 90


@dataclass(frozen=True)
class AuthUseCases:
    registration: Registration
    sign_in: SignIn
    sessions: Sessions
    two_factor: TwoFactorSettings
    recovery: Recovery
    password_check: PasswordCheck
    personal_access_tokens: PersonalAccessTokens
    signer: AccessTokenSigner


@dataclass(frozen=True)
class _Shared:
    """The pieces several use cases are built on."""

    throttle: AccountThrottle
    password_check: PasswordCheck
    issuer: SessionIssuer
    link_tokens: LinkTokens
    notices: AccountNotices
    second_factor: SecondFactor


def _shared(
    ports: AuthPorts, rules: AuthRules, signer: AccessTokenSigner, mail_layout: MailLayout, clock: Clock
) -> _Shared:
    throttle = AccountThrottle(ports.attempts, policy=rules.throttle, clock=clock)
    link_tokens = LinkTokens(ports.tokens, lifetimes=rules.link_lifetimes, clock=clock)
    return _Shared(
        throttle=throttle,
        password_check=PasswordCheck(users=ports.users, hasher=ports.hasher, throttle=throttle),
        issuer=SessionIssuer(sessions=ports.sessions, signer=signer, lifetime=rules.session_lifetime, clock=clock),
        link_tokens=link_tokens,
        notices=AccountNotices(
            outbox=ports.outbox,
            layout=mail_layout,
            users=ports.users,
            sessions=ports.sessions,
            link_tokens=link_tokens,
        ),
        second_factor=SecondFactor(ports.two_factor, clock=clock),
    )


def _recovery(ports: AuthPorts, rules: AuthRules, shared: _Shared, mail_layout: MailLayout, clock: Clock) -> Recovery:
    return Recovery(
        users=ports.users,
        hasher=ports.hasher,
        password_policy=rules.password_policy,
        password_check=shared.password_check,
        sessions=ports.sessions,
        throttle=shared.throttle,
        link_tokens=shared.link_tokens,
        send_limits=ports.send_limits,
        notices=shared.notices,
        mail_layout=mail_layout,
        clock=clock,
    )


def build_use_cases(
    ports: AuthPorts,
    *,
    rules: AuthRules,
    signer: AccessTokenSigner,
    mail_layout: MailLayout,
    dummy_password_hash: str,
    clock: Clock = time.time,
) -> AuthUseCases:
    shared = _shared(ports, rules, signer, mail_layout, clock)
    sign_in = SignIn(
        users=ports.users,
        hasher=ports.hasher,
        throttle=shared.throttle,
        two_factor=ports.two_factor,
        second_factor=shared.second_factor,
        challenges=ports.challenges,
        issuer=shared.issuer,
        notices=shared.notices,
        dummy_password_hash=dummy_password_hash,
        clock=clock,
    )
    return AuthUseCases(
        registration=Registration(
            users=ports.users,
            hasher=ports.hasher,
            password_policy=rules.password_policy,
            issuer=shared.issuer,
            notices=shared.notices,
        ),
        sign_in=sign_in,
        sessions=Sessions(
            sessions=ports.sessions,
            users=ports.users,
            issuer=shared.issuer,
            reuse_grace_seconds=rules.reuse_grace_seconds,
            clock=clock,
        ),
        two_factor=TwoFactorSettings(
            repository=ports.two_factor,
            users=ports.users,
            second_factor=shared.second_factor,
            password_check=shared.password_check,
            notices=shared.notices,
            clock=clock,
        ),
        recovery=_recovery(ports, rules, shared, mail_layout, clock),
        password_check=shared.password_check,
        personal_access_tokens=PersonalAccessTokens(
            tokens=ports.personal_access_tokens,
            users=ports.users,
            notices=shared.notices,
            max_lifetime_days=rules.personal_access_token_max_lifetime_days,
            clock=clock,
        ),
        signer=signer,
    )
