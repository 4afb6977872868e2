"""ThumbnailRenderer with Pillow (and pillow-heif for HEIC). Hostile images are refused before
their pixels are decoded: the header's size is checked against the bound, only the formats we
make thumbnails of are tried, and a JPEG is decoded at a reduced scale (draft mode)."""

import io

import pillow_heif
from PIL import Image, ImageOps

from scloud_files.domain import Rendition, UnusableImage

pillow_heif.register_heif_opener()

_FORMATS = ("JPEG", "PNG", "WEBP", "GIF", "HEIF")
_WEBP_QUALITY = 80


class PillowThumbnailRenderer:
    def __init__(self, *, max_pixels: int) -> None:
        """`max_pixels` bounds width × height as the header claims them, so the memory and time a
        decode takes are bounded too."""
        self._max_pixels = max_pixels

    def render_blocking(self, source: bytes) -> dict[Rendition, bytes]:
        try:
            return self._render(source)
        except UnusableImage:
            raise
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.DecompressionBombError) as exc:
            # Truncated, corrupt or not an image at all: Pillow says so with one of these.
            raise UnusableImage() from exc

    def _render(self, source: bytes) -> dict[Rendition, bytes]:
        with Image.open(io.BytesIO(source), formats=_FORMATS) as image:
            if image.width * image.height > self._max_pixels:
                raise UnusableImage()
            largest = max(rendition.longest_side for rendition in Rendition)
            image.draft("RGB", (largest, largest))
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright = upright.convert("RGBA" if _has_alpha(upright) else "RGB")
            renditions: dict[Rendition, bytes] = {}
            for rendition in sorted(Rendition, key=lambda each: -each.longest_side):
                upright.thumbnail((rendition.longest_side, rendition.longest_side))
                output = io.BytesIO()
                upright.save(output, format="WEBP", quality=_WEBP_QUALITY)
                renditions[rendition] = output.getvalue()
            return renditions


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
