"""Share links: what a link holds, its access-log entries, and the coarse view of a visitor the log
keeps (browser family, network prefix). docs/data-model.md ("Sharing") describes the rules."""

import hashlib
import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from scloud_files.domain.content import PreviewKind
from scloud_files.domain.item import ItemKind

# A link's path segment: secrets.token_urlsafe(16), 128 bits of randomness.
LINK_ID_BYTES = 16
LINK_ID_PATTERN = r"[A-Za-z0-9_-]{22}"
ACCESS_KEY_PATTERN = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00#[0-9A-HJKMNP-TV-Z]{26}"


def link_hash(link_id: str) -> str:
    """What the stores keep of a link id: a leaked table gives no working link."""
    return hashlib.sha256(link_id.encode()).hexdigest()


def link_attempts_key(token_hash: str) -> str:
    """The key a link's wrong passwords are counted under (a client's are under its network)."""
    return f"link#{token_hash}"


def client_attempts_key(network: str) -> str:
    return f"client#{network}"


class AccessEvent(StrEnum):
    OPEN = "open"
    LIST = "list"
    DOWNLOAD = "download"
    ZIP = "zip"
    REFUSED = "refused"


class RefusalReason(StrEnum):
    PASSWORD_REQUIRED = "password_required"
    WRONG_PASSWORD = "wrong_password"
    THROTTLED = "throttled"
    EXPIRED = "expired"
    REVOKED = "revoked"
    EXHAUSTED = "exhausted"


@dataclass(frozen=True)
class ShareLink:
    """`link_ref` (a ULID) is the owner's handle on the link; `token_hash` the SHA-256 of the id
    visitors hold, which is never stored. `forget_at` is when the link and its log go (its expiry
    plus the log's retention)."""

    link_ref: str
    token_hash: str
    owner_id: str
    item_id: str
    item_kind: ItemKind
    created_at: str
    expires_at: str
    forget_at: str
    password_hash: str | None = None
    download_limit: int | None = None
    owner_name: str | None = None
    revoked_at: str | None = None
    download_count: int = 0
    open_count: int = 0
    refused_count: int = 0
    last_access_at: str | None = None

    def refusal(self, now: str) -> RefusalReason | None:
        """Why the link no longer gives access at `now`, if it does not."""
        if self.revoked_at is not None:
            return RefusalReason.REVOKED
        if self.expires_at <= now:
            return RefusalReason.EXPIRED
        if self.download_limit is not None and self.download_count >= self.download_limit:
            return RefusalReason.EXHAUSTED
        return None


@dataclass(frozen=True)
class AccessEntry:
    """One line of a link's access log. `key` (`<at>#<ULID>`) orders the log and pages it."""

    key: str
    at: str
    event: AccessEvent
    reason: RefusalReason | None
    browser: str
    network: str
    forget_at: str


# First match wins: Edge, Opera and Samsung Internet also say "Chrome", and Chrome also says
# "Safari". Only the family is ever kept, never the User-Agent itself.
_BROWSER_FAMILIES = (
    ("bot", re.compile(r"bot\b|crawler|spider|slurp|curl/|wget/|python-|httpx|go-http-client", re.IGNORECASE)),
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*\bSafari/")),
)
OTHER_BROWSER = "other"
UNKNOWN_NETWORK = "unknown"


def browser_family(user_agent: str | None) -> str:
    for family, pattern in _BROWSER_FAMILIES:
        if user_agent and pattern.search(user_agent[:512]):
            return family
    return OTHER_BROWSER


def network_prefix(address: str | None) -> str:
    """The client's network, never its address: IPv4 /24, IPv6 /48 (an IPv4-mapped IPv6 address
    as IPv4)."""
    try:
        ip = ipaddress.ip_address((address or "").split("%")[0])
    except ValueError:
        return UNKNOWN_NETWORK
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


@dataclass(frozen=True)
class Visitor:
    """What a public request tells of its sender, reduced at once to what the log may keep."""

    browser: str
    network: str

    @classmethod
    def of(cls, *, user_agent: str | None, address: str | None) -> "Visitor":
        return cls(browser_family(user_agent), network_prefix(address))


@dataclass(frozen=True)
class SharedItem:
    """What a visitor is shown of a linked item: nothing that names its owner but the display
    name they chose to show, no id, no path, no key."""

    name: str
    kind: ItemKind
    size: int | None
    media_type: str | None
    modified_at: str
    expires_at: str
    downloads_left: int | None
    owner_name: str | None
    preview: PreviewKind | None = None
