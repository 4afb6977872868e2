"""auth as another service's token verifier sees it, in memory: one signing key and the set of
active sessions. For unit tests that build a service without auth's gRPC server."""

import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scloud_common.errors import ServiceUnavailable
from scloud_common.tokens import PublicKeyInfo

KEY_ID = "k1"


class FakeAuth:
    """Both sources a verifier needs: public keys (PublicKeySource) and session status
    (SessionStatusSource)."""

    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.active_sessions: set[tuple[str, str]] = set()
        self.reachable = True

    async def fetch_public_keys(self) -> list[PublicKeyInfo]:
        pem = self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return [PublicKeyInfo(KEY_ID, "EdDSA", pem.decode())]

    async def is_session_active(self, session_id: str, user_id: str) -> bool:
        if not self.reachable:
            raise ServiceUnavailable()
        return (session_id, user_id) in self.active_sessions

    def token(self, user_id: str, session_id: str) -> str:
        """A token signed as auth signs them, with the settings' default issuer and audience."""
        now = int(time.time())
        claims = {
            "sub": user_id,
            "sid": session_id,
            "iss": "scloud-auth",
            "aud": "scloud",
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, self.key, algorithm="EdDSA", headers={"kid": KEY_ID})
