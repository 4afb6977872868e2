"""Where a user's bytes live in the bucket: `users/<owner>/<fileId>` (and a batch's small files
under `users/<owner>/batches/<batchId>/`), built from server ids only.

A presigned URL names its object's key, and a file reached through a share link or shared with
someone is downloaded through one: so `<owner>` is not the user id but the user id encrypted
with the service's object-key secret (AES-SIV, base32). Deterministic, so one prefix holds all of
a user's objects (deleting an account deletes it); reversible by the service alone, so the
reconcile pass finds a stray object's owner from its key without a lookup; authenticated, so a
segment the service did not make never decrypts.

Objects stored before the segment was encrypted keep the user id in clear: `owner` reads both,
and an account's prefixes are both."""

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scloud_files.domain.item import is_file_id

USERS_PREFIX = "users/"
BATCHES_SEGMENT = "batches/"
# The shortest secret taken: 256 bits as base64 or hex text is longer than this.
MIN_SECRET_CHARS = 32
# Only for development and tests, where no secret is configured: anyone who knows it can read
# the user ids in keys, which outside development the settings refuse.
DEVELOPMENT_SECRET = "scloud-development-object-keys-not-a-secret"
_HKDF_INFO = b"scloud files object keys v1"
# A sealed segment: base32 of a 16-byte tag and the id, longer than the 32 characters of a user
# id in clear.
_SEALED_SHAPE = re.compile(r"^[a-z2-7]{33,}$")


@dataclass(frozen=True)
class KeyOwner:
    user_id: str
    file_id: str


class ObjectKeys:
    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the object-key secret must have at least {MIN_SECRET_CHARS} characters")
        # Any long random text makes a key (`openssl rand -base64 48`): HKDF turns it into the
        # 512 bits AES-256-SIV takes.
        key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_HKDF_INFO).derive(secret.encode())
        self._cipher = AESSIV(key)

    @classmethod
    def for_development(cls) -> "ObjectKeys":
        return cls(DEVELOPMENT_SECRET)

    def owner_segment(self, user_id: str) -> str:
        sealed = self._cipher.encrypt(user_id.encode(), None)
        return base64.b32encode(sealed).decode().rstrip("=").lower()

    def user_prefix(self, user_id: str) -> str:
        """Where this user's new objects go."""
        return f"{USERS_PREFIX}{self.owner_segment(user_id)}/"

    def user_prefixes(self, user_id: str) -> tuple[str, str]:
        """Every prefix that may hold this user's objects: today's and the clear-text one of
        objects stored before owner segments were encrypted."""
        return self.user_prefix(user_id), f"{USERS_PREFIX}{user_id}/"

    def file(self, user_id: str, file_id: str) -> str:
        """A user's file name never reaches the key."""
        return f"{self.user_prefix(user_id)}{file_id}"

    def batch(self, user_id: str, batch_id: str) -> str:
        """The prefix a batch's small files are PUT under: one listing of it finds them all."""
        return f"{self.user_prefix(user_id)}{BATCHES_SEGMENT}{batch_id}/"

    def owner(self, key: str) -> KeyOwner | None:
        """The user and file a key was built for (a file's key or a batch file's), None if the
        key is no file's."""
        if not key.startswith(USERS_PREFIX):
            return None
        segment, slash, path = key.removeprefix(USERS_PREFIX).partition("/")
        batch, _, file_id = path.rpartition("/")
        if batch:
            batch_id = batch.removeprefix(BATCHES_SEGMENT)
            if batch_id == batch or not is_file_id(batch_id):
                return None
        if not slash or not segment or not is_file_id(file_id):
            return None
        user_id = self._user_of(segment)
        return KeyOwner(user_id, file_id) if user_id is not None else None

    def _user_of(self, segment: str) -> str | None:
        try:
            padded = segment.upper() + "=" * (-len(segment) % 8)
            return self._cipher.decrypt(base64.b32decode(padded), None).decode()
        except (InvalidTag, binascii.Error, ValueError, UnicodeDecodeError):
            pass
        if _SEALED_SHAPE.match(segment):
            # Sealed with another secret (a changed or mistyped setting): nobody this service
            # knows. Taking it for a user id would make every such object a stray to delete.
            return None
        # From before segments were sealed: the user id itself (32 hex characters).
        return segment
