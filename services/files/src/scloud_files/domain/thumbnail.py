"""Thumbnails: which files get them, the renditions made of each, where they are stored and the
state a file's thumbnail is in."""

from enum import StrEnum

# Types Pillow (with pillow-heif) decodes; anything else gets a type icon.
THUMBNAIL_SOURCE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif"})
THUMBNAIL_CONTENT_TYPE = "image/webp"


class ThumbnailState(StrEnum):
    """Recorded on the file, so the work survives a restart: PENDING until the worker has made
    the renditions (READY) or given up on the image (REFUSED: hostile, truncated, not an image)."""

    PENDING = "pending"
    READY = "ready"
    REFUSED = "refused"


class Rendition(StrEnum):
    """`small` for the grid, `large` for the preview of a large image; the longest side in px."""

    SMALL = "small"
    LARGE = "large"

    @property
    def longest_side(self) -> int:
        return 256 if self is Rendition.SMALL else 1280


def wants_thumbnail(media_type: str | None) -> bool:
    return media_type in THUMBNAIL_SOURCE_TYPES


def rendition_key(object_key: str, rendition: Rendition) -> str:
    """Beside the file's object (so an account's prefix holds both), built from the server's key
    only."""
    return f"{object_key}.{rendition.value}.webp"


def rendition_keys(object_key: str) -> list[str]:
    return [rendition_key(object_key, rendition) for rendition in Rendition]


def rendition_source(key: str) -> str | None:
    """The object key of the file a rendition's key was built from; None for any other key."""
    for rendition in Rendition:
        suffix = f".{rendition.value}.webp"
        if key.endswith(suffix):
            return key.removesuffix(suffix)
    return None
