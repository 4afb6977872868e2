"""In-memory implementations of auth's ports, for unit tests."""

import dataclasses
import hashlib
import threading
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scloud_auth.domain import (
    AttemptRecord,
    Credentials,
    NewUser,
    OneTimeToken,
    PersonalAccessToken,
    Session,
    SessionExists,
    SignInChallenge,
    TokenPurpose,
    TwoFactor,
    User,
)
from scloud_common.errors import AlreadyExists, NotFound

if TYPE_CHECKING:
    from scloud_auth.ports import (
        AttemptStore,
        OneTimeTokenStore,
        PasswordHasher,
        PersonalAccessTokenRepository,
        SendLimitStore,
        SessionRepository,
        SignInChallengeStore,
        TwoFactorRepository,
        UserDirectory,
    )


class InMemorySessionRepository:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    async def add(self, session: Session) -> None:
        if session.session_id in self.sessions:
            raise SessionExists()
        self.sessions[session.session_id] = session

    async def get(self, session_id: str) -> Session | None:
        return self.sessions.get(session_id)

    async def list_for_user(self, user_id: str) -> list[Session]:
        return [s for s in self.sessions.values() if s.user_id == user_id]

    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        session = self.sessions.get(session_id)
        if session is None or session.revoked or session.token_hash != expected_token_hash:
            return False
        self.sessions[session_id] = dataclasses.replace(
            session,
            token_hash=new_token_hash,
            previous_token_hash=expected_token_hash,
            expires_at=expires_at,
            rotated_at=rotated_at,
            last_used_at=rotated_at,
        )
        return True

    async def revoke(self, session_id: str) -> None:
        if session_id in self.sessions:
            self.sessions[session_id] = dataclasses.replace(self.sessions[session_id], revoked=True)

    async def revoke_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int:
        targets = [
            s.session_id for s in self.sessions.values() if s.user_id == user_id and s.session_id != except_session_id
        ]
        for session_id in targets:
            await self.revoke(session_id)
        return len(targets)


class InMemoryPersonalAccessTokenRepository:
    def __init__(self) -> None:
        self.tokens: dict[str, PersonalAccessToken] = {}

    async def add(self, token: PersonalAccessToken) -> None:
        if token.token_id in self.tokens or any(t.token_hash == token.token_hash for t in self.tokens.values()):
            raise AlreadyExists("A token with this id exists already.")
        self.tokens[token.token_id] = token

    async def find_by_hash(self, token_hash: str) -> PersonalAccessToken | None:
        return next((t for t in self.tokens.values() if t.token_hash == token_hash), None)

    async def list_for_user(self, user_id: str) -> list[PersonalAccessToken]:
        return [t for t in self.tokens.values() if t.user_id == user_id]

    async def revoke(self, token: PersonalAccessToken) -> None:
        if token.token_id in self.tokens:
            self.tokens[token.token_id] = dataclasses.replace(self.tokens[token.token_id], revoked=True)

    async def record_use(self, token: PersonalAccessToken, used_at: int) -> None:
        if token.token_id in self.tokens:
            self.tokens[token.token_id] = dataclasses.replace(self.tokens[token.token_id], last_used_at=used_at)

    async def delete_all_for_user(self, user_id: str) -> None:
        for token_id in [t.token_id for t in self.tokens.values() if t.user_id == user_id]:
            del self.tokens[token_id]


class InMemoryAttemptStore:
    def __init__(self) -> None:
        self.attempts: dict[str, AttemptRecord] = {}
        self._lock = threading.Lock()

    async def get(self, key: str) -> AttemptRecord | None:
        return self.attempts.get(key)

    async def replace(
        self, key: str, record: AttemptRecord | None, *, expected: AttemptRecord | None, keep_until: int
    ) -> bool:
        with self._lock:
            if self.attempts.get(key) != expected:
                return False
            if record is None:
                self.attempts.pop(key, None)
            else:
                self.attempts[key] = record
            return True

    async def clear(self, key: str) -> None:
        with self._lock:
            self.attempts.pop(key, None)


class InMemorySendLimitStore:
    def __init__(self) -> None:
        self.events: dict[str, tuple[int, int]] = {}

    async def count(self, key: str, *, now: int, window_seconds: int) -> int:
        count, last_at = self.events.get(key, (0, now))
        count = count + 1 if now - last_at < window_seconds else 1
        self.events[key] = (count, now)
        return count


class InMemoryTwoFactorRepository:
    def __init__(self) -> None:
        self.settings: dict[str, TwoFactor] = {}

    async def get(self, user_id: str) -> TwoFactor | None:
        return self.settings.get(user_id)

    async def save(self, two_factor: TwoFactor) -> None:
        self.settings[two_factor.user_id] = two_factor

    async def use_step(self, user_id: str, step: int) -> bool:
        current = self.settings.get(user_id)
        if current is None or not current.enabled or step <= current.last_used_step:
            return False
        self.settings[user_id] = dataclasses.replace(current, last_used_step=step)
        return True

    async def use_recovery_code(self, user_id: str, code_hash: str) -> bool:
        current = self.settings.get(user_id)
        if current is None or code_hash not in current.recovery_code_hashes:
            return False
        self.settings[user_id] = dataclasses.replace(
            current, recovery_code_hashes=current.recovery_code_hashes - {code_hash}
        )
        return True

    async def delete(self, user_id: str) -> None:
        self.settings.pop(user_id, None)


class InMemorySignInChallengeStore:
    def __init__(self) -> None:
        self.challenges: dict[str, SignInChallenge] = {}

    async def add(self, challenge: SignInChallenge) -> None:
        self.challenges[challenge.token_hash] = challenge

    async def get(self, token_hash: str) -> SignInChallenge | None:
        return self.challenges.get(token_hash)

    async def delete(self, token_hash: str) -> None:
        self.challenges.pop(token_hash, None)


class InMemoryOneTimeTokenStore:
    def __init__(self) -> None:
        self.tokens: dict[tuple[TokenPurpose, str], OneTimeToken] = {}

    async def add(self, token: OneTimeToken) -> None:
        self.tokens[(token.purpose, token.token_hash)] = token

    async def consume(self, purpose: TokenPurpose, token_hash: str) -> OneTimeToken | None:
        return self.tokens.pop((purpose, token_hash), None)


class InMemoryUserDirectory:
    def __init__(self) -> None:
        self.credentials: dict[str, Credentials] = {}

    async def create_user(self, new_user: NewUser, password_hash: str) -> User:
        if any(c.user.email == new_user.email for c in self.credentials.values()):
            raise AlreadyExists("An account with this email already exists.", code="email_taken")
        user = User(
            user_id=uuid.uuid4().hex,
            email=new_user.email,
            username=new_user.username,
            gender=new_user.gender,
            date_of_birth=new_user.date_of_birth,
            created_at=datetime.now(UTC).isoformat(),
        )
        self.credentials[user.user_id] = Credentials(user, password_hash)
        return user

    async def find_credentials_by_email(self, email: str) -> Credentials | None:
        return next((c for c in self.credentials.values() if c.user.email == email), None)

    async def get_credentials(self, user_id: str) -> Credentials:
        if user_id not in self.credentials:
            raise NotFound(code="user_not_found")
        return self.credentials[user_id]

    async def get_user(self, user_id: str) -> User:
        return (await self.get_credentials(user_id)).user

    async def update_password_hash(self, user_id: str, password_hash: str) -> None:
        credentials = await self.get_credentials(user_id)
        self.credentials[user_id] = Credentials(credentials.user, password_hash)

    async def mark_email_verified(self, user_id: str) -> None:
        credentials = await self.get_credentials(user_id)
        user = dataclasses.replace(credentials.user, email_verified=True)
        self.credentials[user_id] = Credentials(user, credentials.password_hash)


class FastPasswordHasher:
    """A salted SHA-256 stand-in for bcrypt, so unit tests stay fast. Never used outside tests.
    Its hashes are tagged with `scheme`; those of another scheme verify but need a rehash."""

    def __init__(self, scheme: str = "v2") -> None:
        self.scheme = scheme

    async def hash(self, password: str) -> str:
        salt = uuid.uuid4().hex[:8]
        return f"{self.scheme}${salt}${hashlib.sha256((salt + password).encode()).hexdigest()}"

    async def verify(self, password: str, password_hash: str) -> bool:
        _, salt, digest = password_hash.split("$", 2)
        return hashlib.sha256((salt + password).encode()).hexdigest() == digest

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith(f"{self.scheme}$")


# Protocols are structural, so nothing holds a fake to its port until a test happens to call what
# drifted. These assignments make mypy (`make lint`) do it; the adapters are held to the same ports
# where bootstrap assigns them to its Protocol-typed parameters.
if TYPE_CHECKING:
    _session_repository: SessionRepository = InMemorySessionRepository()
    _attempt_store: AttemptStore = InMemoryAttemptStore()
    _send_limit_store: SendLimitStore = InMemorySendLimitStore()
    _user_directory: UserDirectory = InMemoryUserDirectory()
    _password_hasher: PasswordHasher = FastPasswordHasher()
    _two_factor_repository: TwoFactorRepository = InMemoryTwoFactorRepository()
    _sign_in_challenge_store: SignInChallengeStore = InMemorySignInChallengeStore()
    _token_store: OneTimeTokenStore = InMemoryOneTimeTokenStore()
    _personal_access_tokens: PersonalAccessTokenRepository = InMemoryPersonalAccessTokenRepository()
