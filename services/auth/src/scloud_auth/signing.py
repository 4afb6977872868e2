"""Access-token signing with an Ed25519 key; the public half is published over gRPC."""

import base64
import hashlib
import re
import uuid
from collections.abc import Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from scloud_common.tokens import ACCESS_TOKEN_ALGORITHM, PublicKeyInfo

_PUBLIC_KEY_PEM = re.compile(r"-----BEGIN PUBLIC KEY-----.+?-----END PUBLIC KEY-----", re.DOTALL)


def _key_info(public_key: Ed25519PublicKey) -> PublicKeyInfo:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key_id = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:12]).decode().rstrip("=")
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return PublicKeyInfo(key_id, ACCESS_TOKEN_ALGORITHM, pem.decode())


def parse_public_keys(text: str) -> list[Ed25519PublicKey]:
    """Every Ed25519 public key (PEM) in `text`, in order; raises ValueError on any other key."""
    keys = []
    for block in _PUBLIC_KEY_PEM.findall(text):
        key = serialization.load_pem_public_key(block.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("access-token public keys must be Ed25519 keys")
        keys.append(key)
    return keys


class AccessTokenSigner:
    """Signs with one key; announces its public half and, during a rotation, the `additional`
    public keys: the next key before it signs (so verifiers hold it before its first token) or
    the previous one after (so its tokens keep working until they expire). docs/operations.md."""

    def __init__(
        self,
        private_key: Ed25519PrivateKey,
        *,
        issuer: str,
        audience: str,
        ttl_seconds: int,
        additional_public_keys: Sequence[Ed25519PublicKey] = (),
    ) -> None:
        self._private_key = private_key
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = ttl_seconds
        own = _key_info(private_key.public_key())
        self.key_id = own.key_id
        others = [_key_info(key) for key in additional_public_keys]
        self._public_keys = [own, *(key for key in others if key.key_id != own.key_id)]

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
        """The signing key's public half first, then the additional ones."""
        return list(self._public_keys)


class SignerKeySource:
    """Auth verifies its own tokens from its own keys rather than calling itself over gRPC."""

    def __init__(self, signer: AccessTokenSigner) -> None:
        self._signer = signer

    async def fetch_public_keys(self) -> list[PublicKeyInfo]:
        return self._signer.public_keys()
