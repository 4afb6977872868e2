"""PasswordHasher with bcrypt on a small dedicated pool: each hash costs ~100+ ms of CPU, so a
flood of sign-ins must queue there, not in the threads every other request needs."""

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import bcrypt

from scloud_common.errors import ServiceUnavailable

_Result = TypeVar("_Result")


class HasherBusy(ServiceUnavailable):
    code = "busy"
    message = "Too many sign-ins at once. Try again in a moment."


class BcryptPasswordHasher:
    def __init__(self, rounds: int, *, workers: int = 2, max_waiting: int = 32) -> None:
        self._rounds = rounds
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bcrypt")
        self._capacity = workers + max_waiting
        self._in_flight = 0

    async def hash(self, password: str) -> str:
        return await self._run(self._hash_sync, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return await self._run(self._verify_sync, password, password_hash)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def _run(self, function: Callable[..., _Result], *args: object) -> _Result:
        # Answering 503 at once beats a queue so long that every caller times out anyway.
        if self._in_flight >= self._capacity:
            raise HasherBusy()
        self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)
        finally:
            self._in_flight -= 1

    def _hash_sync(self, password: str) -> str:
        return bcrypt.hashpw(password.encode(), bcrypt.gensalt(self._rounds)).decode()

    @staticmethod
    def _verify_sync(password: str, password_hash: str) -> bool:
        encoded = password.encode()
        if len(encoded) > 72:
            return False
        try:
            return bcrypt.checkpw(encoded, password_hash.encode())
        except ValueError:
            return False
