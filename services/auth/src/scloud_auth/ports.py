"""What the auth use cases need from the outside world."""

from typing import Protocol

from scloud_auth.domain import Credentials, NewUser, Session, User


class SessionRepository(Protocol):
    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: str) -> Session | None: ...

    async def rotate(
        self, session_id: str, *, expected_token_hash: str, new_token_hash: str, expires_at: int, rotated_at: int
    ) -> bool:
        """Swaps the token hash only if it is still `expected_token_hash` and the session is live."""
        ...

    async def revoke(self, session_id: str) -> None: ...

    async def revoke_all_for_user(self, user_id: str, *, except_session_id: str | None = None) -> int: ...


class UserDirectory(Protocol):
    """The users service, which owns accounts and password hashes."""

    async def create_user(self, new_user: NewUser, password_hash: str) -> User: ...

    async def find_credentials_by_email(self, email: str) -> Credentials | None: ...

    async def get_credentials(self, user_id: str) -> Credentials: ...

    async def get_user(self, user_id: str) -> User: ...

    async def update_password_hash(self, user_id: str, password_hash: str) -> None: ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str) -> bool: ...
