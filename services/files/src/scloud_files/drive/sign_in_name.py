"""The name a client signs in with beside a token (WebDAV's Basic user): it must be the email of
the account the token belongs to, so a token pasted under someone else's name is refused."""

import time
from collections.abc import Callable

from scloud_common.errors import NotFound
from scloud_common.tokens import TimedAnswerCache
from scloud_files.ports import UserDirectory

# Under the 5 s bound within which a revoked session or token is refused: an email changed (or an
# account deleted) counts as soon as that, while a client's burst of requests costs one call.
EMAIL_CACHE_SECONDS = 2.0
EMAIL_CACHE_ENTRIES = 10_000


def normalised_sign_in_name(name: str) -> str:
    return name.strip().casefold()


class SignInNames:
    def __init__(
        self,
        users: UserDirectory,
        *,
        cache_seconds: float = EMAIL_CACHE_SECONDS,
        max_entries: int = EMAIL_CACHE_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._users = users
        # By the token's owner (what the verifier names), so no secret is kept as a key and one
        # account's tokens share one answer; "" for an account without one (or none at all).
        self._emails: TimedAnswerCache[str, str] = TimedAnswerCache(
            ttl_seconds=cache_seconds, max_entries=max_entries, clock=clock
        )

    async def is_account_email(self, user_id: str, name: str) -> bool:
        """Whether `name` (case and surrounding blanks aside) is the account's email. An account
        the directory does not know, or whose email it does not say, matches no name."""
        email = await self._email(user_id)
        return email != "" and normalised_sign_in_name(name) == email

    async def _email(self, user_id: str) -> str:
        email = self._emails.get(user_id)
        if email is None:
            try:
                email = normalised_sign_in_name((await self._users.get_profile(user_id)).email)
            except NotFound:
                email = ""
            self._emails.put(user_id, email)
        return email
