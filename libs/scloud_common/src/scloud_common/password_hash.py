"""Password hashing with bcrypt on a small dedicated pool, for every password SCloud keeps (account
passwords in auth, share-link passwords in files): each hash costs ~100+ ms of CPU, so a flood of
sign-ins or guesses must queue there, not in the threads every other request needs.

bcrypt reads at most 72 bytes, so the password is first reduced to a keyed SHA-256 (base64, 44
bytes): every character of a long password counts. Those hashes carry the `sha256+` prefix; a
plain bcrypt hash of the password itself (written before) still verifies, and is rewritten at the
next sign-in, as is one of another cost.
"""

import asyncio
import base64
import hashlib
import hmac
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import bcrypt

from scloud_common.errors import ServiceUnavailable

_Result = TypeVar("_Result")

PREHASHED_PREFIX = "sha256+"
# A fixed key, not a secret: it only keeps these digests apart from plain SHA-256 digests of the
# same passwords that may have leaked elsewhere ("hash shucking").
_PREHASH_KEY = b"scloud password hash v2"
_BCRYPT_MAX_BYTES = 72


def _prehash(password: str) -> bytes:
    return base64.b64encode(hmac.new(_PREHASH_KEY, password.encode(), hashlib.sha256).digest())


class HasherBusy(ServiceUnavailable):
    code = "busy"
    message = "Too many password checks at once. Try again in a moment."

    def __init__(self, *, retry_after_seconds: int = 1) -> None:
        # About when the queue has room again.
        super().__init__(retry_after_seconds=retry_after_seconds)


class BcryptPasswordHasher:
    def __init__(self, rounds: int, *, workers: int = 2, max_waiting: int = 32) -> None:
        self._rounds = rounds
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bcrypt")
        self._workers = workers
        self._capacity = workers + max_waiting
        self._in_flight = 0
        # A running average of one hash or check, to tell refused callers when to come back.
        self._seconds_per_run = 0.1

    async def hash(self, password: str) -> str:
        return await self._run(self._hash_sync, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return await self._run(self._verify_sync, password, password_hash)

    def needs_rehash(self, password_hash: str) -> bool:
        if not password_hash.startswith(PREHASHED_PREFIX):
            return True
        # "$2b$12$<salt+digest>": the cost is the third field.
        cost = password_hash.removeprefix(PREHASHED_PREFIX).split("$")[2:3]
        return cost != [f"{self._rounds:02d}"]

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self, function: Callable[..., _Result], *args: object) -> _Result:
        # Answering 503 at once beats a queue so long that every caller times out anyway.
        if self._in_flight >= self._capacity:
            raise HasherBusy(retry_after_seconds=self._retry_after_seconds())
        self._in_flight += 1
        started = time.monotonic()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)
        finally:
            self._in_flight -= 1
            self._seconds_per_run += (time.monotonic() - started - self._seconds_per_run) / 8

    def _retry_after_seconds(self) -> int:
        """Seconds until the queue ahead has drained, rounded up: at least 1."""
        return max(1, math.ceil(self._in_flight / self._workers * self._seconds_per_run))

    def _hash_sync(self, password: str) -> str:
        return PREHASHED_PREFIX + bcrypt.hashpw(_prehash(password), bcrypt.gensalt(self._rounds)).decode()

    @staticmethod
    def _verify_sync(password: str, password_hash: str) -> bool:
        if password_hash.startswith(PREHASHED_PREFIX):
            secret, stored = _prehash(password), password_hash.removeprefix(PREHASHED_PREFIX)
        else:
            secret, stored = password.encode(), password_hash
            # Such hashes were only written for passwords of at most 72 bytes; a longer one cannot
            # match, and bcrypt would compare only its first 72 bytes.
            if len(secret) > _BCRYPT_MAX_BYTES:
                return False
        try:
            return bcrypt.checkpw(secret, stored.encode())
        except ValueError:
            return False
