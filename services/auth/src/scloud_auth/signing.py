"""Access-token signing with an Ed25519 key; the public half is published over gRPC."""

import base64
import hashlib
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common.tokens import ACCESS_TOKEN_ALGORITHM, PublicKeyInfo


class AccessTokenSigner:
    def __init__(self, private_key: Ed25519PrivateKey, *, issuer: str, audience: str, ttl_seconds: int) -> None:
        self._private_key = private_key
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = ttl_seconds
        public_key = private_key.public_key()
        raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")
        self._public_key_pem = public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @classmethod
    def from_pem(cls, pem: str, **kwargs: Any) -> "AccessTokenSigner":
        key = serialization.load_pem_private_key(pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the access-token signing key must be an Ed25519 private key")
        return cls(key, **kwargs)

    @classmethod
    def generate(cls, **kwargs: Any) -> "AccessTokenSigner":
        return cls(Ed25519PrivateKey.generate(), **kwargs)

    def sign(self, *, user_id: str, session_id: str, now: int) -> tuple[str, int]:
        """A token for this user and session, and when it expires (epoch seconds)."""
        expires_at = now + self._ttl_seconds
        claims = {
            "sub": user_id,
            "sid": session_id,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": now,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._private_key, algorithm=ACCESS_TOKEN_ALGORITHM, headers={"kid": self.key_id})
        return token, expires_at

    def public_keys(self) -> list[PublicKeyInfo]:
        return [PublicKeyInfo(self.key_id, ACCESS_TOKEN_ALGORITHM, self._public_key_pem)]


class SignerKeySource:
    """Auth verifies its own tokens from its own keys rather than calling itself over gRPC."""

    def __init__(self, signer: AccessTokenSigner) -> None:
        self._signer = signer

    async def fetch_public_keys(self) -> list[PublicKeyInfo]:
        return self._signer.public_keys()
