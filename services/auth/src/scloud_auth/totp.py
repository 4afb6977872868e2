"""Time-based one-time passwords (RFC 6238, through pyotp) and recovery codes: pure computation,
no storage."""

import hashlib
import re
import secrets

import pyotp
import segno
from pyotp.exceptions import OTPVerificationError

ISSUER = "SCloud"
RECOVERY_CODE_COUNT = 10
# 10 characters of a 32-letter alphabet: 50 bits each, shown as two groups of five.
_RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
_RECOVERY_CODE_LENGTH = 10
_CODE_PATTERN = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """160 random bits in base32, what authenticator apps expect."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def qr_code_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG `data:` URI the page shows as an image. Black on white with a
    quiet zone, so phones read it in dark mode too."""
    qr_code = segno.make(uri, error="m")
    return str(qr_code.svg_data_uri(scale=5, border=4, dark="#000", light="#fff"))


def is_totp_code(code: str) -> bool:
    return bool(_CODE_PATTERN.match(code.replace(" ", "")))


def matching_step(secret: str, code: str, now: float) -> int | None:
    """The 30-second step whose code this is, allowing one step of clock drift either way; None
    when it matches none. Callers refuse a step not later than the last one used (replays)."""
    code = code.replace(" ", "")
    if not _CODE_PATTERN.match(code):
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=now, valid_window=1)
    except OTPVerificationError:
        return None


def new_recovery_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def new_recovery_salt() -> str:
    return secrets.token_hex(8)


def hash_recovery_code(code: str, salt: str) -> str:
    """Codes are 50 random bits: salted (per user) and hashed, a leaked table neither reveals them
    nor lets one precomputed table serve every account. Spaces, dashes and case do not matter."""
    normalized = re.sub(r"[\s-]", "", code).lower()
    return hashlib.sha256(f"{salt}:{normalized}".encode()).hexdigest()
