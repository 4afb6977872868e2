"""PasswordHasher with bcrypt, run in a thread: each hash costs ~100+ ms of CPU."""

import asyncio

import bcrypt


class BcryptPasswordHasher:
    def __init__(self, rounds: int) -> None:
        self._rounds = rounds

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hash_sync, password)

    async def verify(self, password: str, password_hash: str) -> bool:
        return await asyncio.to_thread(self._verify_sync, password, password_hash)

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
